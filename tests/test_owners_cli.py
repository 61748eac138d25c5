"""`flask owners import-units | new | import-votes | result`: staff's spreadsheets in,
one JSON tally out; refused files name their lines and import nothing."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.community import Community, Unit
from app.extensions import db
from app.timeutil import utcnow
from proposals.owners import decisions as d
from proposals.owners.models import Owner, OwnersDecision, OwnerVote, RegisterUnit

UNITS = """unit,building,area_m2,owner_id,developer_unsold
101,1号楼,100,A,0
102,1号楼,100,A,0
103,1号楼,100.00,A,0
201,1号楼,80.5,B,0
101,2号楼,90,C,0
102,2号楼,60,DEV,1
103,2号楼,60,DEV,1
"""
JSON_KEYS = ["status", "matter", "threshold", "owners_total", "owners_participating",
             "owners_agree", "area_total", "area_participating", "area_agree", "quorum",
             "passed", "conflicts"]


def cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def write(tmp_path: Path, text: str, name: str = "file.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout


def refused(result):
    assert result.exit_code != 0 and result.stdout == ""
    return result.stderr


@pytest.fixture
def registered(app, tmp_path):
    ok(cli(app, "owners", "import-units", "hp", write(tmp_path, UNITS, "units.csv")))
    return Community.by_slug("hp")


def new(app, *args) -> int:
    out = ok(cli(app, "owners", "new", "hp", "--matter", "rebuild", "--title", "加装电梯",
                 *args))
    return int(out.strip().splitlines()[-1])


def votes(app, tmp_path, decision_id, text, *options, encoding="utf-8"):
    path = write(tmp_path, "owner_id,choice,sheet_ref\n" + text, "votes.csv", encoding)
    return cli(app, "owners", "import-votes", decision_id, path, *options)


def result(app, decision_id) -> dict:
    out = ok(cli(app, "owners", "result", decision_id, "--json"))
    assert len(out.strip().splitlines()) == 1  # exactly one object, nothing else
    return json.loads(out)


# --- import-units -----------------------------------------------------------------------

def test_import_units_creates_the_community_and_reports_the_register(registered, app,
                                                                    tmp_path):
    assert registered.name == "hp"
    assert (count(Unit), count(RegisterUnit), count(Owner)) == (7, 7, 4)
    again = ok(cli(app, "owners", "import-units", "hp", write(tmp_path, UNITS, "same.csv")))
    assert "7 units held by 4 owners" in again and "new community" not in again
    assert (count(Unit), count(Owner)) == (7, 4)


def test_a_gb18030_register_with_chinese_headers_is_read(app, tmp_path):
    text = "楼组,房号,面积,业主编号,开发商未售\n１号楼,101,85.5,王-01,否\n１号楼,102,60,开发商,是\n"
    out = ok(cli(app, "owners", "import-units", "gb", write(tmp_path, text, encoding="gb18030")))
    assert "gb (new community): 2 units held by 2 owners" in out
    assert db.session.scalar(select(Owner.register_id).where(Owner.is_developer)) == "开发商"
    assert sorted(db.session.scalars(select(Unit.area_centi_m2))) == [60_00, 85_50]


def test_bad_register_lines_are_numbered_and_nothing_is_imported(app, tmp_path):
    text = UNITS + "104,2号楼,60,C,1\n105,2号楼,12.345,D,0\n101,1号楼,70,E,0\n"
    err = refused(cli(app, "owners", "import-units", "hp", write(tmp_path, text)))
    assert err.splitlines()[:3] == [line for line in err.splitlines() if line.startswith("line")]
    assert [line.split(":")[0] for line in err.splitlines()[:3]] == ["line 9", "line 10",
                                                                     "line 11"]
    assert "two decimals" in err and "Nothing was imported: 3 bad lines." in err
    assert Community.by_slug("hp") is None and count(Unit) == 0


def test_a_developer_id_also_on_a_sold_unit_is_refused(app, tmp_path):
    err = refused(cli(app, "owners", "import-units", "hp",
                      write(tmp_path, UNITS + "104,2号楼,60,DEV,0\n")))
    assert err.startswith("line 9: ") and count(Owner) == 0


def test_a_bad_slug_is_refused(app, tmp_path):
    assert "slug" in refused(cli(app, "owners", "import-units", "Hp Garden",
                                 write(tmp_path, UNITS)))


# --- new --------------------------------------------------------------------------------

def test_new_opens_a_decision_and_prints_its_id_last(registered, app):
    decision = db.session.get(OwnersDecision, new(app))
    assert (decision.matter, decision.title, len(decision.units)) == ("rebuild", "加装电梯", 7)
    assert d.state(decision) == "open"
    assert decision.closes_at - decision.opens_at == timedelta(days=14)


def test_new_with_buildings_and_a_closing_date(registered, app):
    decision_id = new(app, "--buildings", "2号楼", "--closes", "2099-06-30")
    decision = db.session.get(OwnersDecision, decision_id)
    assert [b.name for b in decision.buildings] == ["2号楼"]
    assert decision.closes_at.astimezone(d.LOCAL).replace(tzinfo=None) \
        == datetime(2099, 7, 1)  # the end of 30 June in Shanghai
    assert result(app, decision_id)["area_total"] == "210.00"


@pytest.mark.parametrize("args, says", [
    (("hp", "--matter", "lift", "--title", "加装电梯"), "lift"),
    (("nowhere", "--matter", "rebuild", "--title", "加装电梯"), "nowhere"),
    (("hp", "--matter", "rebuild", "--title", "加装电梯", "--buildings", "9号楼"), "9号楼"),
    (("hp", "--matter", "rebuild", "--title", "加装电梯", "--closes", "2020-01-01"), ""),
    (("hp", "--matter", "rebuild", "--title", "加装电梯", "--closes", "soon"), "soon"),
    (("hp", "--matter", "rebuild", "--title", "  "), ""),
])
def test_new_refusals(registered, app, args, says):
    assert says in refused(cli(app, "owners", "new", *args))
    assert count(OwnersDecision) == 0


# --- import-votes -----------------------------------------------------------------------

def test_import_votes_enters_sheets_and_the_tally_moves(registered, app, tmp_path):
    decision_id = new(app)
    out = ok(votes(app, tmp_path, decision_id, "A,同意,S-1\nB,agree,S-2\nDEV,弃权,S-3\n"))
    assert "3 signature sheets" in out and "2 agree, 0 against, 1 abstain" in out
    assert result(app, decision_id) == {
        "status": "open", "matter": "rebuild", "threshold": "3/4", "owners_total": 4,
        "owners_participating": 3, "owners_agree": 2, "area_total": "590.50",
        "area_participating": "500.50", "area_agree": "380.50", "quorum": True,
        "passed": False, "conflicts": 0}  # 2 of 3 heads is short of three quarters
    assert sorted(db.session.scalars(select(OwnerVote.sheet_ref))) == ["S-1", "S-2", "S-3"]


def test_a_gb18030_vote_file_is_read(registered, app, tmp_path):
    decision_id = new(app)
    ok(votes(app, tmp_path, decision_id, "A,同意,纸-1\nC,反对,纸-2\n", encoding="gb18030"))
    assert result(app, decision_id)["owners_participating"] == 2


def test_bad_vote_rows_are_numbered_and_nothing_is_imported(registered, app, tmp_path):
    two = new(app, "--buildings", "2号楼")
    err = refused(votes(app, tmp_path, two, "C,agree,S-1\nX,agree,S-2\nA,agree,S-3\n"
                                            "C,against,S-4\nDEV,maybe,S-5\n"))
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines[:4]] == ["line 3", "line 4", "line 5",
                                                          "line 6"]
    assert "'X'" in lines[0] and "owner A " in lines[1] and "line 2" in lines[2]  # names the first
    assert "maybe" in lines[3] and "Nothing was imported" in lines[-1]
    assert count(OwnerVote) == 0


def test_an_owner_already_on_a_sheet_is_refused_naming_that_sheet(registered, app, tmp_path):
    decision_id = new(app)
    ok(votes(app, tmp_path, decision_id, "A,agree,S-1\n"))
    err = refused(votes(app, tmp_path, decision_id, "B,agree,S-7\nA,against,S-8\n"))
    assert err.startswith("line 3: ") and "S-1" in err
    assert sorted(db.session.scalars(select(OwnerVote.sheet_ref))) == ["S-1"]  # B not in


def test_after_the_close_sheets_need_a_date_before_it(registered, app, tmp_path):
    decision_id = new(app)
    decision = db.session.get(OwnersDecision, decision_id)
    decision.opens_at = utcnow() - timedelta(days=10)
    decision.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    closed_on = decision.closes_at.astimezone(d.LOCAL).date()
    refused(votes(app, tmp_path, decision_id, "A,agree,S-1\n"))
    refused(votes(app, tmp_path, decision_id, "A,agree,S-1\n", "--signed-on",
                  (closed_on + timedelta(days=1)).isoformat()))
    assert count(OwnerVote) == 0
    ok(votes(app, tmp_path, decision_id, "A,agree,S-1\n", "--signed-on",
             (closed_on - timedelta(days=2)).isoformat()))
    assert result(app, decision_id)["status"] == "closed"


@pytest.mark.parametrize("command", [("import-votes", "99", "FILE"), ("result", "99", "--json")])
def test_an_unknown_decision_is_refused(registered, app, tmp_path, command):
    args = [str(write(tmp_path, "owner_id,choice,sheet_ref\nA,agree,S\n")) if a == "FILE"
            else a for a in command]
    assert "99" in refused(cli(app, "owners", *args))


# --- result -----------------------------------------------------------------------------

def test_result_json_shape_and_exact_decimal_areas(registered, app, tmp_path):
    decision_id = new(app)
    data = result(app, decision_id)
    assert list(data) == JSON_KEYS
    assert all(type(data[k]) is int for k in ("owners_total", "owners_participating",
                                               "owners_agree", "conflicts"))
    assert all(type(data[k]) is bool for k in ("quorum", "passed"))
    assert (data["area_total"], data["area_participating"], data["area_agree"]) \
        == ("590.50", "0.00", "0.00")
    ok(votes(app, tmp_path, decision_id, "A,agree,S-1\nB,agree,S-2\nC,agree,S-3\n"))
    data = result(app, decision_id)
    assert (data["quorum"], data["passed"], data["area_agree"]) == (True, True, "470.50")


def test_result_without_json_is_readable(registered, app):
    out = ok(cli(app, "owners", "result", new(app)))
    assert "0 of 4 owners" in out and "no quorum" in out
