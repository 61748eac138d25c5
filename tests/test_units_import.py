"""`flask units import`: encodings, header aliases, exact areas, all-or-nothing imports."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.community import Building, Community, Unit, UnitOwnership
from app.extensions import db
from app.units_import import (
    ImportProblem, decode, parse_area, parse_csv, parse_owner_names,
)

DATA = Path(__file__).parent / "data"


def run_import(app, slug: str, path: Path):
    return app.test_cli_runner().invoke(args=["units", "import", slug, str(path)])


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def unit(community_slug: str, building: str, number: str) -> Unit | None:
    return db.session.scalar(
        select(Unit).join(Unit.building).join(Building.community)
        .where(Community.slug == community_slug, Building.name == building,
               Unit.number == number))


# --- plain functions --------------------------------------------------------------------

@pytest.mark.parametrize("text, centi", [
    ("85.55", 8555), ("85.5", 8550), ("85", 8500), (" 0.01 ", 1), ("85.500", 8550),
    ("140.00", 14000),
])
def test_areas_are_read_exactly(text, centi):
    assert parse_area(text) == centi


@pytest.mark.parametrize("text, message", [
    ("85.555", "more than two decimals"), ("0", "more than zero"), ("-3", "more than zero"),
    ("abc", "not a number"), ("NaN", "not a number"), ("", "empty"),
    ("1000000", "too large"),
])
def test_bad_areas_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_area(text)


def test_owner_names_split_on_chinese_and_latin_separators():
    assert parse_owner_names("王建国、李秀英;张伟；陈敏 ") == ("王建国", "李秀英", "张伟", "陈敏")
    assert parse_owner_names("  ") == ()


def test_decode_accepts_utf8_bom_and_gb18030():
    text = "楼组,房号,面积\n1号楼,101,85.55\n"
    assert decode(text.encode("utf-8")) == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode(text.encode("gb18030")) == text


def test_parse_csv_finds_columns_by_header_and_reports_every_bad_line():
    parsed = parse_csv("area_m2,unit,building\n85.55,101,1号楼\nx,102,1号楼\n"
                       "60,,1号楼\n\n,,\n70,101,1号楼\n")
    assert [(r.line, r.building, r.unit, r.area_centi_m2) for r in parsed.rows] == [
        (2, "1号楼", "101", 8555)]
    assert [e.line for e in parsed.errors] == [3, 4, 7]
    assert "already on line 2" in parsed.errors[2].message


def test_parse_csv_refuses_a_header_without_required_columns():
    with pytest.raises(ImportProblem, match="area_m2"):
        parse_csv("building,unit,size\n1号楼,101,85\n")


# --- the command ------------------------------------------------------------------------

def test_import_creates_community_buildings_units_and_owners(app):
    result = run_import(app, "gaorong", DATA / "units_example.csv")
    assert result.exit_code == 0, result.output + result.stderr
    assert "3 buildings, 5 units, 7 owners created" in result.output
    community = Community.by_slug("gaorong")
    assert community.name == "gaorong"
    assert sorted(b.name for b in community.buildings) == ["万航渡路759弄", "高荣小区1号楼",
                                                           "高荣小区2号楼"]
    assert unit("gaorong", "高荣小区2号楼", "101").area_centi_m2 == 8555
    assert unit("gaorong", "高荣小区1号楼", "102").area_centi_m2 == 5880
    owners = unit("gaorong", "万航渡路759弄", "3号").ownerships
    assert sorted(o.owner_name for o in owners) == ["赵先生", "赵阿姨"]
    assert all(o.user_id is None for o in owners)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_import_reads_each_encoding_excel_writes(app, tmp_path, encoding):
    path = write(tmp_path, "楼组,房号,面积,业主\r\n益民公寓2号楼,1801,85.55,徐阿姨、徐先生\r\n",
                 encoding)
    result = run_import(app, "yeqing", path)
    assert result.exit_code == 0, result.stderr
    u = unit("yeqing", "益民公寓2号楼", "1801")
    assert u.area_centi_m2 == 8555
    assert sorted(o.owner_name for o in u.ownerships) == ["徐先生", "徐阿姨"]


def test_import_accepts_columns_in_any_order_and_extra_columns(app, tmp_path):
    path = write(tmp_path, "备注,area_m2,owner_names,unit,building\n顶楼,120.05,张毅,2501,D座\n")
    result = run_import(app, "hepinghuayuan", path)
    assert result.exit_code == 0, result.stderr
    assert unit("hepinghuayuan", "D座", "2501").area_centi_m2 == 12005


def test_import_into_existing_community_adds_to_its_buildings(app, make, tmp_path):
    c = make.community(slug="wanhang", name="万航居民区", buildings=("长宁路225弄1号",))
    path = write(tmp_path, "building,unit,area_m2\n长宁路225弄1号,101,45.2\n长宁路225弄2号,101,50\n")
    result = run_import(app, "wanhang", path)
    assert result.exit_code == 0, result.stderr
    assert "1 buildings, 2 units" in result.output
    db.session.refresh(c)
    assert c.name == "万航居民区"
    assert sorted(b.name for b in c.buildings) == ["长宁路225弄1号", "长宁路225弄2号"]


def test_missing_required_column_is_refused(app, tmp_path):
    path = write(tmp_path, "building,area_m2\n1号楼,85\n")
    result = run_import(app, "gaorong", path)
    assert result.exit_code != 0
    assert "unit" in result.stderr
    assert count(Community) == 0


def test_bad_rows_are_all_reported_and_nothing_is_imported(app, tmp_path):
    path = write(tmp_path, "building,unit,area_m2,owner_names\n"
                           "1号楼,101,85.55,王建国\n"      # line 2: good
                           "1号楼,102,85.555,李秀英\n"     # line 3: three decimals
                           "1号楼,103,-1,\n"              # line 4: negative
                           "1号楼,104,八十,\n"             # line 5: not a number
                           ",105,60,\n"                   # line 6: no building
                           "1号楼,101,70,\n"               # line 7: duplicate of line 2
                           "2号楼,201,0,\n")              # line 8: zero
    result = run_import(app, "gaorong", path)
    assert result.exit_code != 0
    for line in (3, 4, 5, 6, 7, 8):
        assert f"line {line}:" in result.stderr
    assert "line 2:" not in result.stderr
    assert "Nothing was imported: 6 bad row(s)" in result.stderr
    assert (count(Community), count(Building), count(Unit), count(UnitOwnership)) == (0, 0, 0, 0)


def test_units_already_in_the_database(app, make, tmp_path):
    c = make.community(slug="gaorong", buildings=("1号楼",))
    make.unit(c.buildings[0], "101", 8555)
    same = write(tmp_path, "building,unit,area_m2\n1号楼,101,85.55\n1号楼,102,60\n", name="a.csv")
    result = run_import(app, "gaorong", same)
    assert result.exit_code == 0, result.stderr
    assert "1 units already present with the same area were skipped" in result.output
    assert count(Unit) == 2

    different = write(tmp_path, "building,unit,area_m2\n1号楼,103,70\n1号楼,101,90\n",
                      name="b.csv")
    result = run_import(app, "gaorong", different)
    assert result.exit_code != 0
    assert "line 3: 1号楼 101 already exists with area 85.55 m²" in result.stderr
    assert count(Unit) == 2


def test_bad_slug_is_refused(app, tmp_path):
    path = write(tmp_path, "building,unit,area_m2\n1号楼,101,85\n")
    result = run_import(app, "高荣", path)
    assert result.exit_code != 0
    assert count(Community) == 0
