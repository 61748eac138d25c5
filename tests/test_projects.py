"""Projects without HTTP: made from a funded idea's costing, the ledger's exact sums,
overspending that must be explained, reversals, starting the work, the CSV export."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from proposals.models import StageChange
from proposals.moves import move_idea
from proposals.projects import export, services, spending
from proposals.projects.ledger import by_source
from proposals.projects.models import Project, SpendingEntry
from proposals.projects.services import ProjectRefused
from proposals.projects.spending import OverspendUnexplained

from .projects_factories import NoticeOver, funded_idea, make_project, project_of

LIFT = (("round_budget", 56_000_00, ""), ("subsidy", 24_000_00, "加装电梯补贴30%"),
        ("partner", 5_000_00, "大唐（上海）能源开发有限公司"))


def pay(project, staff, amount_fen, source="round_budget", reason="", on=None, **fields):
    entry = spending.add_spending(project, staff, spent_on=on or date(2026, 5, 1),
                                  amount_fen=amount_fen, payee=fields.pop("payee", "电梯公司"),
                                  purpose=fields.pop("purpose", "设备款"), source_kind=source,
                                  overspend_reason=reason, **fields)
    db.session.commit()
    return entry


def entries() -> int:
    return db.session.scalar(select(func.count(SpendingEntry.id)))


def test_a_funded_idea_becomes_a_project_with_its_costings_funding(app, make):
    c = make.community()
    idea = funded_idea(make, c, sources=LIFT, responsible="长宁物业公司")
    project = project_of(idea)
    assert project.community_id == c.id
    assert (project.responsible_kind, project.responsible_name) == ("property", "长宁物业公司")
    assert [(f.kind, f.amount_fen, f.note) for f in project.funding] == list(LIFT)
    assert project.planned_fen == 85_000_00 and project.spent_fen == 0
    assert [(p.name, p.contribution) for p in project.partners] == [
        ("大唐（上海）能源开发有限公司", "¥5,000.00")]
    assert db.session.scalar(select(func.count(AuditEntry.id))
                             .where(AuditEntry.action == "project.created")) == 1


@pytest.mark.parametrize("name, kind", [("物业", "property"), ("居委会", "residents_committee"),
                                        ("业委会", "owners_committee"), ("大唐能源", "partner")])
def test_the_responsible_kind_is_guessed_from_the_costing(app, make, name, kind):
    assert make_project(make, make.community(), responsible=name).responsible_kind == kind


def test_funded_twice_never_makes_a_second_project(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    idea = funded_idea(make, c, staff=staff)
    # The stage table has no way back to funded; should one appear, the receiver holds.
    idea.stage = "noticed"
    move_idea(idea, "funded", actor=staff, cause=NoticeOver())
    db.session.commit()
    assert db.session.scalar(select(func.count(Project.id))) == 1
    with pytest.raises(ProjectRefused):
        services.create_project(idea, staff)


def test_create_project_by_hand_for_a_funded_idea_without_one(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    idea = make.idea(c, stage="funded")
    project = services.create_project(idea, staff)
    db.session.commit()
    assert project.idea_id == idea.id and project.funding == []
    with pytest.raises(ProjectRefused):
        services.create_project(make.idea(c, stage="planned"), staff)


def test_ledger_sums_are_exact_with_several_entries_and_a_reversal(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff, sources=(("round_budget", 1_000_00, ""),))
    amounts = [33_33, 33_33, 33_34, 1, 10]  # 0.1 + 0.2 in floats would already be wrong
    made = [pay(project, staff, a) for a in amounts]
    assert project.spent_fen == sum(amounts) == 100_11
    reversal = spending.reverse_spending(made[-1], staff, "重复录入")
    db.session.commit()
    assert reversal.amount_fen == -10 and reversal.reverses_id == made[-1].id
    assert reversal.purpose == "重复录入" and reversal.source_kind == "round_budget"
    db.session.refresh(project)
    assert project.spent_fen == 100_01 == services.sums(project)[1]
    assert entries() == 6  # nothing edited or deleted: the mistake and its reversal stay
    with pytest.raises(ProjectRefused):
        spending.reverse_spending(made[-1], staff, "again")
    with pytest.raises(ProjectRefused):
        spending.reverse_spending(reversal, staff, "reversing a reversal")
    db.session.rollback()
    assert entries() == 6


def test_overspending_needs_an_explanation_which_is_stored(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff, sources=(("round_budget", 10_000_00, ""),))
    pay(project, staff, 9_000_00, reason="not needed: within plan")
    assert db.session.scalar(select(SpendingEntry.overspend_reason)) == ""
    pay(project, staff, 1_000_00)  # exactly the plan is not over
    with pytest.raises(OverspendUnexplained) as refused:
        pay(project, staff, 1)
    assert "10,000.01" in refused.value.message
    db.session.rollback()
    assert entries() == 2
    entry = pay(project, staff, 500_00, reason="钢材涨价，业委会同意追加")
    db.session.refresh(project)
    assert entry.overspend_reason == "钢材涨价，业委会同意追加"
    assert project.overspent and project.spent_fen - project.planned_fen == 500_00


def test_planned_and_spent_by_source(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff, sources=LIFT)
    pay(project, staff, 50_000_00, "round_budget")
    pay(project, staff, 24_000_00, "subsidy")
    pay(project, staff, 1_000_00, "residents", reason="居民自筹的部分，原计划外")
    db.session.refresh(project)
    lines = {line.kind: (line.planned_fen, line.spent_fen, line.over)
             for line in by_source(project)}
    assert lines == {"round_budget": (56_000_00, 50_000_00, False),
                     "subsidy": (24_000_00, 24_000_00, False),
                     "partner": (5_000_00, 0, False),
                     "residents": (0, 1_000_00, True)}
    assert not project.overspent  # 75,000 spent of 85,000: the total is within plan


@pytest.mark.parametrize("change", [
    dict(amount_fen=0), dict(amount_fen=-5_00), dict(amount_fen=None),
    dict(source_kind="lottery"), dict(payee=" "), dict(purpose=""),
    dict(spent_on=date.today() + timedelta(days=400)), dict(spent_on="2026-05-01")])
def test_bad_entries_are_refused(app, make, change):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff)
    values = dict(spent_on=date(2026, 5, 1), amount_fen=1_00, payee="x", purpose="y",
                  source_kind="round_budget")
    values.update(change)
    with pytest.raises(ProjectRefused):
        spending.add_spending(project, staff, **values)
    db.session.rollback()
    assert entries() == 0


def test_funding_lines_change_but_the_plan_never_drops_below_spending(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff, sources=(("round_budget", 1_000_00, ""),))
    line = services.add_funding(project, staff, kind="subsidy", amount_fen=500_00, note="区补贴")
    pay(project, staff, 1_200_00)
    with pytest.raises(ProjectRefused):
        services.remove_funding(line, staff)
    db.session.rollback()
    services.change_funding(line, staff, kind="subsidy", amount_fen=200_00, note="区补贴（调整）")
    db.session.commit()
    assert services.sums(project) == (1_200_00, 1_200_00)
    with pytest.raises(ProjectRefused):
        services.change_funding(line, staff, kind="subsidy", amount_fen=199_99)
    db.session.rollback()
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"project.funding_added", "project.funding_changed",
            "project.spending_added"} <= actions


def test_start_work_moves_the_idea_with_its_reason(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff)
    with pytest.raises(ProjectRefused):
        services.start_work(project, staff, " ")
    db.session.rollback()
    services.start_work(project, staff, "施工队进场")
    db.session.commit()
    assert project.idea.stage == "in_progress"
    change = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.to_stage, change.reason, change.actor_id) == ("in_progress", "施工队进场",
                                                                 staff.id)
    with pytest.raises(ProjectRefused):  # already started
        services.start_work(project, staff, "again")


def test_staff_edits_are_checked_and_audited(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff)
    services.update_project(project, staff, responsible_kind="residents_committee",
                            responsible_name="高荣居委会", progress=40)
    partner = services.add_partner(project, staff, name="大唐", contribution="8个免费车位")
    db.session.commit()
    assert (project.responsible_kind, project.progress) == ("residents_committee", 40)
    services.remove_partner(partner, staff)
    db.session.commit()
    assert project.partners == []
    for bad in (dict(progress=101), dict(progress=-1), dict(responsible_kind="mayor"),
                dict(responsible_name="  ")):
        values = dict(responsible_kind="property", responsible_name="物业", progress=5)
        values.update(bad)
        with pytest.raises(ProjectRefused):
            services.update_project(project, staff, **values)
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-3:] == ["project.edited", "project.partner_added", "project.partner_removed"]


def test_the_csv_has_a_bom_the_rows_totals_and_guards_formulas(app, make):
    c = make.community()
    staff = make.user(c, "staff")
    project = make_project(make, c, staff=staff, sources=(("round_budget", 1_000_00, ""),
                                                          ("subsidy", 234_56, "")))
    pay(project, staff, 1_000_00, payee="=HYPERLINK(\"http://evil\")", purpose="电梯维保")
    wrong = pay(project, staff, 5, payee="+1", purpose="@SUM(A1)")
    spending.reverse_spending(wrong, staff, "-错账")
    db.session.commit()
    with app.test_request_context():
        data = export.ledger_csv(project)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    body = rows[1:4]
    assert [r[2] for r in body] == ["1000.00", "0.05", "-0.05"]
    assert body[0][4] == "'=HYPERLINK(\"http://evil\")" and body[0][5] == "电梯维保"
    assert body[1][4:6] == ["'+1", "'@SUM(A1)"] and body[2][5] == "'-错账"
    assert body[2][6] == str(wrong.id)
    assert rows[-1][1:] == ["1234.56", "1000.00"]
