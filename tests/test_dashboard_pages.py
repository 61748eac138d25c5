"""The dashboard page, its CSV, and the community home's latest outcomes and open notices."""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from flask import url_for

from app.extensions import db
from app.timeutil import utcnow
from proposals.dashboard.figures import current_year

from . import dashboard_factories as df
from .dashboard_factories import sh

EN = {"Accept-Language": "en"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def hall(make):
    """A community with a 2025 round and 2026 money: budgeted 60,000.00, committed
    45,000.00 (round 30,000 + subsidy 15,000), spent 1,234.50 after a reversal."""
    c = make.community(slug="hall", name="高荣居民区")
    author = make.user(c)
    df.round_(c, 80_000_00, sh(2025, 5, 1))
    df.round_(c, 60_000_00, sh(2026, 5, 1))
    lift = df.funded_idea(c, author, "in_progress", sh(2026, 6, 1), title="加装电梯")
    df.project(c, lift, funding=[("round_budget", 30_000_00), ("subsidy", 15_000_00)],
               spending=[(date(2026, 7, 1), 1_500_00, "round_budget"),
                         (date(2026, 7, 2), -265_50, "round_budget")])
    db.session.commit()
    return c


def page(client, url, headers=None):
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def charts(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def test_the_page_shows_the_figures_in_english(hall, client):
    html = page(client, "/c/hall/dashboard/?year=2026", EN)
    assert "Community dashboard 2026" in html
    assert "¥60,000.00" in html and "¥45,000.00" in html and "¥1,234.50" in html
    # Each figure says what it counts, in one sentence.
    assert "The budgets of the budget rounds that open in 2026" in html
    assert "leaving out projects since cancelled" in html
    assert "corrections are negative entries" in html
    # The 2025 round is not this year's money.
    assert "¥140,000.00" not in html and "¥80,000.00" not in html


def test_the_page_speaks_chinese_by_default(hall, client):
    html = page(client, "/c/hall/dashboard/?year=2026")
    assert '<html lang="zh-Hans">' in html
    assert "高荣居民区" in html
    assert "实施中" in html and "公示中" in html  # stage names in Chinese
    assert "补贴" in html  # funding sources too
    assert "¥45,000.00" in html


def test_every_chart_is_an_image_with_a_title_a_description_and_a_table(hall, client):
    html = page(client, "/c/hall/dashboard/?year=2026", EN)
    drawn = charts(html)
    assert [svg.find(f"{SVG}title").text for svg in drawn] == [
        "Ideas by stage", "Money in 2026", "Committed and spent by funding source in 2026",
        "Projects by status"]
    for svg in drawn:
        assert svg.get("role") == "img"
        title, desc = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title
        assert svg.find(f"{SVG}desc").get("id") == desc
    money = drawn[1]
    assert money.find(f"{SVG}desc").text == (
        "Budgeted: ¥60,000.00; Committed: ¥45,000.00; Spent: ¥1,234.50")
    # Numbers are written on the bars, and the two series are named in words.
    labels = [t.text for t in drawn[2].iter(f"{SVG}text")]
    assert "committed ¥30,000.00" in labels and "spent ¥1,234.50" in labels
    assert "committed ¥15,000.00" in labels and "spent ¥0.00" in labels
    assert html.count('<table class="dash-table') == 4
    # CSP: no inline style, no script; the page's own stylesheet, with a print part.
    assert "style=" not in html and "<script>" not in html
    assert "css/dashboard.css" in html


def test_the_stylesheet_prints(app, client):
    css = client.get("/static/css/dashboard.css").get_data(as_text=True)
    assert "@media print" in css and "size: A4" in css


def test_the_year_switcher_links_years_with_data(hall, client):
    html = page(client, "/c/hall/dashboard/?year=2026", EN)
    assert 'rel="prev" href="/c/hall/dashboard/?year=2025"' in html
    assert 'rel="next"' not in html
    earlier = page(client, "/c/hall/dashboard/?year=2025", EN)
    assert 'rel="prev"' not in earlier
    assert 'rel="next" href="/c/hall/dashboard/?year=2026"' in earlier
    assert "¥80,000.00" in earlier and "¥60,000.00" not in earlier
    if current_year() != 2025:
        assert 'href="/c/hall/dashboard/">This year</a>' in earlier


@pytest.mark.parametrize("year", ["abc", "0", "99999", "-1", "", "2026%00", "<script>"])
def test_a_bad_year_shows_this_year(hall, client, year):
    html = page(client, f"/c/hall/dashboard/?year={year}", EN)
    assert f"Community dashboard {current_year()}" in html
    response = client.get(f"/c/hall/dashboard/figures.csv?year={year}")
    assert response.status_code == 200
    assert f"dashboard-hall-{current_year()}.csv" in response.headers["Content-Disposition"]


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def section(rows: list[list[str]], name: str) -> list[list[str]]:
    """The rows after the header row naming the figure, up to the blank row."""
    start = rows.index([name]) + 1
    end = rows.index([], start)
    return rows[start:end]


def test_the_csv_has_a_section_per_figure(hall, make, client):
    pavilion = df.funded_idea(hall, make.user(hall), "done", sh(2025, 6, 1))
    df.outcome(hall, df.project(hall, pavilion), "=HYPERLINK(\"http://evil\")", sh(2026, 8, 1))
    db.session.commit()
    response = client.get("/c/hall/dashboard/figures.csv?year=2026", headers=EN)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dashboard-hall-2026.csv"')
    rows = read_csv(response)
    assert rows[0] == ["Community dashboard", "高荣居民区", "2026"]
    money = section(rows, "Money in 2026 (yuan)")
    assert money[0] == ["Figure", "Amount (yuan)", "Definition"]
    assert [r[:2] for r in money[1:]] == [
        ["Budgeted", "60000.00"], ["of which budget rounds", "60000.00"],
        ["of which plans outside a round", "0.00"], ["Committed", "45000.00"],
        ["Spent", "1234.50"]]
    sources = section(rows, "Committed and spent by funding source (yuan)")
    assert ["Budget round", "30000.00", "1234.50"] in sources
    assert ["Subsidy", "15000.00", "0.00"] in sources
    assert sources[-1] == ["Total", "45000.00", "1234.50"]
    stages = section(rows, "Ideas by stage")
    assert ["In progress", "1"] in stages and ["Done", "1"] in stages
    assert ["Done", "1"] in section(rows, "Projects by status")
    outcomes = section(rows, "Latest outcomes")
    # A title that starts like a formula is written as text.
    assert outcomes[-1] == ["'=HYPERLINK(\"http://evil\")", "2026-08-01"]


def test_a_community_name_like_a_formula_is_text_in_the_csv(make, client):
    make.community(slug="eq", name="=1+1")
    rows = read_csv(client.get("/c/eq/dashboard/figures.csv?year=2026"))
    assert rows[0][1] == "'=1+1"


def test_the_dashboard_of_an_unknown_community_is_404(app, client):
    assert client.get("/c/nowhere/dashboard/").status_code == 404


def test_home_shows_latest_outcomes_and_open_notices(hall, make, client):
    author = make.user(hall)
    now = utcnow()
    projects = [df.project(hall, df.funded_idea(hall, author, "done", sh(2025, 1, 1 + i)))
                for i in range(5)]
    published = [df.outcome(hall, p, f"金钥匙{i}", now - timedelta(days=10 - i))
                 for i, p in enumerate(projects[:4])]
    df.outcome(hall, projects[4], "还在写的成果", None)  # a draft
    open_ = df.notice(hall, "电梯项目公示", now + timedelta(days=3))
    df.notice(hall, "去年的公示", now - timedelta(minutes=1))
    db.session.commit()
    html = page(client, "/c/hall/", EN)
    with client.http.application.test_request_context():
        outcome_urls = [url_for("outcomes.outcome", slug="hall", outcome_id=o.id)
                        for o in published]
        notice_url = url_for("notices.notice", slug="hall", notice_id=open_.id)
    # The newest three published, newest first; never a draft; the oldest falls off.
    shown = re.findall(r"金钥匙\d", html)
    assert shown == ["金钥匙3", "金钥匙2", "金钥匙1"]
    for url in outcome_urls[1:]:
        assert f'href="{url}"' in html
    assert "还在写的成果" not in html
    assert f'href="{notice_url}"' in html and "电梯项目公示" in html
    assert "去年的公示" not in html
    assert 'href="/c/hall/dashboard/"' in html


def test_home_without_outcomes_or_notices_still_links_the_dashboard(make, client):
    make.community(slug="quiet")
    html = page(client, "/c/quiet/", EN)
    assert "Latest outcomes" not in html and "Open public notices" not in html
    assert 'href="/c/quiet/dashboard/"' in html
