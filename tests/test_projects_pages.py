"""Project pages over HTTP: the public list and page, the staff's forms, bad input,
other communities, residents, the CSV download, the idea page's link and timeline notes,
and the page's query count."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.extensions import db
from proposals.projects import milestones, spending
from proposals.projects.models import Milestone, MilestonePhoto, ProjectFunding, \
    ProjectPartner, SpendingEntry

from .images import gps_exif, jpeg_bytes
from .projects_factories import make_project
from .querycount import counted_queries


@pytest.fixture
def place(make):
    c = make.community(slug="gr", name="高荣居民区")
    staff = make.user(c, "staff", display_name="社工小李")
    project = make_project(make, c, staff=staff, title="屋面防水修缮", responsible="物业",
                           sources=(("round_budget", 10_000_00, ""),
                                    ("partner", 2_000_00, "大唐（上海）能源开发有限公司")))
    return c, staff, project


def url(project, tail=""):
    return f"/c/gr/projects/{project.id}{tail}"


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def post(client, project, tail, data, **kwargs):
    return client.post(url(project, tail), data, token_from=url(project), **kwargs)


def fresh(change: dict) -> dict:
    """Uploads are made per test run (a file object is spent once posted)."""
    return {k: v() if callable(v) else v for k, v in change.items()}


GOOD_PAYMENT = dict(spent_on="2026-05-01", amount="1,200.50", payee="防水公司",
                    purpose="防水卷材", source_kind="round_budget")


def test_the_public_page_shows_who_what_and_the_money(place, en, make):
    c, staff, project = place
    milestones.add_milestone(project, staff, due_on=date(2026, 4, 1), title="进场施工",
                             status="done", text="施工队进场。")
    spending.add_spending(project, staff, spent_on=date(2026, 4, 2), amount_fen=12_500_00,
                          payee="防水公司", purpose="材料和人工", source_kind="round_budget",
                          overspend_reason="屋面破损比勘察时严重")
    db.session.commit()
    page = en.get(url(project)).get_data(as_text=True)
    assert "屋面防水修缮" in page and "Property management" in page
    assert "大唐（上海）能源开发有限公司" in page and "Partners (共建单位)" in page
    assert "进场施工" in page and "施工队进场。" in page and "Reached" in page
    assert 'id="overspend"' in page and "屋面破损比勘察时严重" in page
    assert "¥12,500.00" in page and "¥12,000.00" in page and "¥500.00 over" in page
    assert 'class="project-bar' in page and "style=" not in page
    assert "For staff" not in page and "/spending" not in page  # no staff forms for visitors
    assert f"/c/gr/projects/{project.id}/ledger.csv" in page


def test_the_list_groups_projects_by_status_in_both_languages(place, make, client):
    c, staff, project = place
    other = make_project(make, c, staff=staff, title="楼道灯更换")
    started = make_project(make, c, staff=staff, title="加装电梯")
    from proposals.projects.services import start_work
    start_work(started, staff, "开工")
    db.session.commit()
    zh = client.get("/c/gr/projects/").get_data(as_text=True)
    assert 'lang="zh-Hans"' in zh and "屋面防水修缮" in zh and "加装电梯" in zh
    client.http.set_cookie("lang", "en")
    page = client.get("/c/gr/projects/").get_data(as_text=True)
    assert 'lang="en"' in page
    assert page.index("Work in progress") < page.index("加装电梯") < page.index(
        "Funded, not started") < page.index("屋面防水修缮")
    assert "楼道灯更换" in page and "Spent ¥0.00 of ¥12,000.00 planned" in page
    assert client.get(url(other)).status_code == 200


def test_staff_add_a_milestone_with_a_photo_stripped_of_exif(place, en):
    c, staff, project = place
    en.login(staff)
    photo = (BytesIO(jpeg_bytes(exif=gps_exif())), "工地.jpg")
    response = post(en, project, "/milestones", dict(due_on="2026-06-01", title="拆除旧防水层",
                                                     text="第一步", status="in_progress",
                                                     photos=[photo]),
                    content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    m = db.session.scalars(select(Milestone)).one()
    assert (m.title, m.status, m.due_on) == ("拆除旧防水层", "in_progress", date(2026, 6, 1))
    name = m.photos[0].filename
    assert "工地" not in name
    image = en.get(f"/media/ideas/{name}")
    assert image.status_code == 200 and b"PhoneMaker" not in image.data
    assert name in en.get(url(project)).get_data(as_text=True)


def test_a_milestone_status_changes_and_its_edit_page_manages_photos(place, en):
    c, staff, project = place
    en.login(staff)
    post(en, project, "/milestones", dict(due_on="2026-06-01", title="验收", status="planned",
                                          photos=[(BytesIO(jpeg_bytes()), f"{i}.jpg")
                                                  for i in range(2)]),
         content_type="multipart/form-data")
    m = db.session.scalars(select(Milestone)).one()
    response = post(en, project, f"/milestones/{m.id}/status", {"status": "done"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"#milestone-{m.id}")
    db.session.refresh(m)
    assert m.status == "done"
    assert post(en, project, f"/milestones/{m.id}/status", {"status": "nope"}).status_code == 422
    edit = url(project, f"/milestones/{m.id}/edit")
    assert en.get(edit).status_code == 200
    first, first_name = m.photos[0], m.photos[0].filename
    response = en.post(edit, dict(due_on="2026-06-02", title="竣工验收", status="done",
                                  remove=[str(first.id)],
                                  photos=[(BytesIO(jpeg_bytes()), "new.jpg")]),
                       token_from=edit, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(m)
    assert m.title == "竣工验收" and len(m.photos) == 2
    assert first_name not in [p.filename for p in m.photos]
    assert en.get(f"/media/ideas/{first_name}").status_code == 404  # its file is gone too
    too_many = [(BytesIO(jpeg_bytes()), f"{i}.jpg") for i in range(5)]
    response = en.post(edit, dict(due_on="2026-06-02", title="竣工验收", status="done",
                                  photos=too_many),
                       token_from=edit, content_type="multipart/form-data")
    assert response.status_code == 422 and "At most 6 photos" in response.get_data(as_text=True)
    assert count(MilestonePhoto) == 2


def test_spending_above_plan_is_refused_without_an_explanation(place, en):
    c, staff, project = place
    en.login(staff)
    big = dict(GOOD_PAYMENT, amount="12000.01")
    response = post(en, project, "/spending", big, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Explain the overspending" in page
    assert 'value="12000.01"' in page  # the input is kept
    assert count(SpendingEntry) == 0
    response = post(en, project, "/spending",
                    dict(big, overspend_reason="追加了天沟维修", receipt=(BytesIO(jpeg_bytes(
                        exif=gps_exif())), "发票.jpg")),
                    content_type="multipart/form-data")
    assert response.status_code == 303
    entry = db.session.scalars(select(SpendingEntry)).one()
    assert entry.amount_fen == 12_000_01 and entry.overspend_reason == "追加了天沟维修"
    assert b"PhoneMaker" not in en.get(f"/media/ideas/{entry.receipt_filename}").data
    en.logout()
    page = en.get(url(project)).get_data(as_text=True)
    assert "追加了天沟维修" in page and "Spending is above plan" in page
    assert f"/media/ideas/{entry.receipt_filename}" in page


@pytest.mark.parametrize("change, message", [
    (dict(amount="abc"), "Enter an amount in yuan"),
    (dict(amount="-5"), "Enter an amount in yuan"),
    (dict(amount="0"), "more than zero"),
    (dict(amount=""), "Give the amount in yuan"),
    (dict(spent_on="2026-13-45"), "Give a date"),
    (dict(spent_on="yesterday"), "Give a date"),
    (dict(spent_on="1066-10-14"), "between the years 2000 and 2100"),
    (dict(spent_on="2099-01-01"), "cannot be dated in the future"),
    (dict(source_kind="lottery"), "Not a valid choice"),
    (dict(payee=""), "Name who was paid"),
    (dict(receipt=lambda: (BytesIO(b"MZ not a photo"), "r.jpg")), "JPEG"),
])
def test_bad_payments_are_422_with_a_message_and_store_nothing(place, en, change, message):
    c, staff, project = place
    en.login(staff)
    response = post(en, project, "/spending", dict(GOOD_PAYMENT, **fresh(change)),
                    content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="error"' in page
    assert count(SpendingEntry) == 0


@pytest.mark.parametrize("change, message", [
    (dict(due_on="2026-02-30"), "Give a date"),
    (dict(title=""), "Give the milestone a title"),
    (dict(status="finished"), "Not a valid choice"),
    (dict(photos=lambda: [(BytesIO(jpeg_bytes()), f"{i}.jpg") for i in range(7)]),
     "At most 6 photos"),
    (dict(photos=lambda: [(BytesIO(b"%PDF-1.4"), "x.jpg")]), "JPEG"),
])
def test_bad_milestones_are_422_with_a_message_and_store_nothing(place, en, change, message):
    c, staff, project = place
    en.login(staff)
    data = dict(dict(due_on="2026-06-01", title="开工", status="planned"), **fresh(change))
    response = post(en, project, "/milestones", data, content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(Milestone) == 0 and count(MilestonePhoto) == 0


def test_staff_edit_partners_funding_and_progress(place, en):
    c, staff, project = place
    en.login(staff)
    assert post(en, project, "/partners", {"name": "大唐", "contribution": "8个免费车位"}
                ).status_code == 303
    partner = db.session.scalars(select(ProjectPartner).where(ProjectPartner.name == "大唐")).one()
    assert partner.contribution == "8个免费车位"
    assert post(en, project, f"/partners/{partner.id}/remove", {}).status_code == 303
    assert count(ProjectPartner) == 1
    assert post(en, project, "/funding", {"kind": "subsidy", "amount": "3000", "note": "区里补贴"}
                ).status_code == 303
    line = db.session.scalars(select(ProjectFunding).where(ProjectFunding.kind == "subsidy")).one()
    assert line.amount_fen == 3_000_00
    response = post(en, project, f"/funding/{line.id}", {"kind": "subsidy", "amount": "abc"})
    assert response.status_code == 422 and "Enter an amount in yuan" in response.get_data(
        as_text=True)
    assert post(en, project, f"/funding/{line.id}", {"kind": "subsidy", "amount": "2500.5",
                                                     "note": "调整"}).status_code == 303
    db.session.refresh(line)
    assert line.amount_fen == 2_500_50
    assert post(en, project, f"/funding/{line.id}/remove", {}).status_code == 303
    assert post(en, project, "/edit", {"responsible_kind": "partner", "responsible_name": "防水公司",
                                       "progress": "abc"}).status_code == 422
    assert post(en, project, "/edit", {"responsible_kind": "partner", "responsible_name": "防水公司",
                                       "progress": "150"}).status_code == 422
    assert post(en, project, "/edit", {"responsible_kind": "partner", "responsible_name": "防水公司",
                                       "progress": "60"}).status_code == 303
    db.session.refresh(project)
    assert (project.responsible_kind, project.responsible_name, project.progress) == (
        "partner", "防水公司", 60)


def test_a_mistaken_payment_is_reversed_not_deleted(place, en):
    c, staff, project = place
    en.login(staff)
    post(en, project, "/spending", GOOD_PAYMENT, content_type="multipart/form-data")
    entry = db.session.scalars(select(SpendingEntry)).one()
    assert post(en, project, f"/spending/{entry.id}/reverse", {"reason": ""}).status_code == 422
    assert count(SpendingEntry) == 1
    response = post(en, project, f"/spending/{entry.id}/reverse", {"reason": "录错了金额"})
    assert response.status_code == 303
    page = en.get(url(project)).get_data(as_text=True)
    assert f"Reversal of entry {entry.id}:" in page and "录错了金额" in page
    assert "-¥1,200.50" in page and "Spent ¥0.00 of ¥12,000.00 planned" in page
    assert post(en, project, f"/spending/{entry.id}/reverse", {"reason": "again"}
                ).status_code == 422
    assert count(SpendingEntry) == 2


def test_staff_start_the_work_from_the_project_page(place, en):
    c, staff, project = place
    en.login(staff)
    assert "Start the work" in en.get(url(project)).get_data(as_text=True)
    assert post(en, project, "/start", {"reason": ""}).status_code == 422
    assert project.idea.stage == "funded"
    response = post(en, project, "/start", {"reason": "施工队今天进场"})
    assert response.status_code == 303
    db.session.refresh(project.idea)
    assert project.idea.stage == "in_progress"
    assert "施工队今天进场" in en.get(f"/c/gr/ideas/{project.idea_id}").get_data(as_text=True)
    assert "Start the work" not in en.get(url(project)).get_data(as_text=True)


def test_the_ledger_downloads_as_csv_for_excel(place, client):
    c, staff, project = place
    spending.add_spending(project, staff, spent_on=date(2026, 5, 1), amount_fen=12_345,
                          payee="=cmd|' /C calc'!A0", purpose="材料", source_kind="partner")
    db.session.commit()
    response = client.get(url(project, "/ledger.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff") and "123.45" in text and "'=cmd" in text
    assert text.strip().splitlines()[-1].endswith("12000.00,123.45")


def test_another_communitys_project_is_not_found(place, make, client):
    c, staff, project = place
    other = make.community(slug="elsewhere")
    outsider = make.user(other, "staff")
    for tail in ("", "/ledger.csv"):
        assert client.get(f"/c/elsewhere/projects/{project.id}{tail}").status_code == 404
    client.login(outsider)
    response = client.post(f"/c/elsewhere/projects/{project.id}/spending", GOOD_PAYMENT,
                           token_from="/c/elsewhere/projects/")
    assert response.status_code == 404 and count(SpendingEntry) == 0
    m = milestones.add_milestone(make_project(make, other, staff=outsider), outsider,
                                 due_on=date(2026, 1, 1), title="别处的")
    db.session.commit()
    # A milestone of another project is not reachable through this project's URL.
    client.logout()
    client.login(staff)
    response = client.post(url(project, f"/milestones/{m.id}/status"), {"status": "done"},
                           token_from=url(project))
    assert response.status_code == 404


def test_residents_cannot_post_staff_forms(place, make, client):
    c, staff, project = place
    client.login(make.user(c))
    forms = {"/spending": GOOD_PAYMENT, "/milestones": {"due_on": "2026-06-01", "title": "x"},
             "/edit": {"progress": "99"}, "/start": {"reason": "x"},
             "/partners": {"name": "x"}, "/funding": {"kind": "subsidy", "amount": "1"}}
    for tail, data in forms.items():
        assert post(client, project, tail, data).status_code == 403, tail
    assert count(SpendingEntry) == 0 and count(Milestone) == 0
    assert "For staff" not in client.get(url(project)).get_data(as_text=True)


def test_the_page_costs_the_same_queries_for_few_or_many_milestones_and_entries(make, client,
                                                                                new_client):
    c = make.community(slug="qc")
    staff = make.user(c, "staff")
    costs = []
    for n in (2, 12):
        project = make_project(make, c, staff=staff, sources=(("round_budget", 1_000_000_00, ""),
                                                              ("partner", 1_00, "某公司")))
        for i in range(n):
            m = milestones.add_milestone(project, staff, due_on=date(2026, 1, 1 + i),
                                         title=f"节点{i}", status="done")
            m.photos.append(MilestonePhoto(filename=f"m{project.id}-{i}.jpg", width=4, height=3))
            entry = spending.add_spending(project, staff, spent_on=date(2026, 2, 1 + i),
                                          amount_fen=100_00 + i, payee="p", purpose="q",
                                          source_kind="round_budget")
            if i % 3 == 0:
                spending.reverse_spending(entry, staff, "错")
        db.session.commit()
        for who in (None, staff):
            # A visitor without a session each time: the one logged out last round
            # would carry its "logged out" message, and such a page is never kept.
            reader = client.login(who) if who else new_client()
            with counted_queries() as statements:
                assert reader.get(f"/c/qc/projects/{project.id}").status_code == 200
            costs.append(len(statements))
            if who:
                client.logout()
    assert costs[0] == costs[2] and costs[1] == costs[3], costs


def test_the_idea_page_links_its_project_and_notes_milestones_reached(place, en):
    c, staff, project = place
    milestones.add_milestone(project, staff, due_on=date(2026, 4, 1), title="进场施工",
                             status="done")
    milestones.add_milestone(project, staff, due_on=date(2026, 9, 1), title="竣工验收")
    db.session.commit()
    idea_id, project_id = project.idea_id, project.id
    with counted_queries() as statements:
        page = en.get(f"/c/gr/ideas/{idea_id}").get_data(as_text=True)
    assert f"/c/gr/projects/{project_id}" in page and "This idea is a project." in page
    assert "Milestone reached: 进场施工" in page and "竣工验收" not in page
    # The section and the timeline share one query of projects and milestones.
    assert len([s for s in statements if "FROM project" in s or "JOIN milestone" in s]) == 1


def test_staff_set_up_a_missing_project_from_the_idea_page(make, en):
    c = make.community(slug="gr2")
    staff = make.user(c, "staff")
    idea = make.idea(c, stage="funded")
    en.login(staff)
    page = en.get(f"/c/gr2/ideas/{idea.id}").get_data(as_text=True)
    assert f"/c/gr2/projects/from-idea/{idea.id}" in page
    response = en.post(f"/c/gr2/projects/from-idea/{idea.id}", {},
                       token_from=f"/c/gr2/ideas/{idea.id}")
    assert response.status_code == 303
    again = en.post(f"/c/gr2/projects/from-idea/{idea.id}", {},
                    token_from=f"/c/gr2/ideas/{idea.id}")
    assert again.status_code == 422 and "already has a project" in again.get_data(as_text=True)
