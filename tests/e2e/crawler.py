"""An accessibility crawl: open a page, let axe-core judge it, follow its links.

Pages are found by following same-site links from a few starting points (no list of
pages), and each Flask endpoint is judged once per crawl: a second URL of the same
endpoint (another idea, page 2 of a list) shows the same template. The first pass
(`crawl`) walks the links as one person; later passes (`revisit`) open the endpoints
that pass found once more in another mode (another language ...), as the same person
who found them.
"""
from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import urljoin, urlsplit

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Error, Page
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.i18n import COOKIE as LANG_COOKIE
from app.settings import ROOT

from .conftest import DESKTOP

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Not pages: files a link downloads or shows bare. Their endpoints are skipped too, once
# a response shows they are not HTML.
FILE_SUFFIXES = (".csv", ".pdf", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg",
                 ".mp3", ".m4a", ".ogg", ".wav", ".webm", ".txt", ".json", ".xlsx")
# Links that change who or how the visitor is, rather than show a page: the language and
# 长辈模式 switches (modes of their own) and signing out.
NOT_FOLLOWED = {"i18n.switch", "elder.switch", "accounts.logout"}
# How many further URLs of a judged endpoint are fetched for their links.
MORE_OF_A_KIND = 5
# axe's serious and critical violations, the first few elements of each.
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""
# Where the first Tab lands: a skip link to the main content (or already in it), with a
# focus mark (outline or ring) on the screen.
FIRST_TAB = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const href = el.getAttribute('href') || '';
    const target = href.startsWith('#') && document.getElementById(href.slice(1));
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    const box = el.getBoundingClientRect();
    const onScreen = box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth;
    return {html: el.outerHTML.slice(0, 120), skip: !!target, inMain: !!el.closest('main'),
            shown: (outline || ring) && onScreen};
}"""
LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
    .filter(a => !a.hasAttribute('download'))
    .map(a => a.href)"""


@dataclass(frozen=True)
class Mode:
    """How the pages are looked at: the language cookie, plus any setting of the device
    (`prepare` gets the fresh context before anyone signs in)."""

    name: str
    lang: str | None = None
    prepare: Callable[[BrowserContext, str], None] | None = None


ZH = Mode("zh-Hans")  # the default: no cookie, a phone set to Chinese
EN = Mode("en", lang="en")
# 长辈模式 on the device (app/elder.py): the cookie its switch sets.
ELDER = Mode("elder", prepare=lambda context, base_url: context.add_cookies(
    [{"name": "elder", "value": "1", "url": base_url}]))


@dataclass
class Visitor:
    """Someone the crawl is run as: how to become them in a fresh context, and where
    they start."""

    role: str
    starts: tuple[str, ...]
    username: str | None = None
    password: str | None = None
    cookies: tuple[dict, ...] = ()


@dataclass
class Finding:
    mode: str
    role: str
    endpoint: str
    url: str
    violations: list[dict]

    def __str__(self) -> str:
        lines = [f"{self.mode} · {self.role} · {self.endpoint} · {self.url}"]
        for v in self.violations:
            lines.append(f"    {v['impact']} {v['id']}: {v['help']} — {', '.join(v['nodes'])}")
        return "\n".join(lines)


@dataclass
class Report:
    scanned: dict[str, set[str]] = field(default_factory=dict)  # mode -> endpoints
    pages: Counter = field(default_factory=Counter)  # pages judged by (mode, role)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # server errors
    refused: list[str] = field(default_factory=list)  # links answering 4xx
    keyboard: list[str] = field(default_factory=list)  # no skip link, focus not shown
    not_pages: set[str] = field(default_factory=set)  # endpoints answering files, not HTML
    seconds: dict[str, float] = field(default_factory=dict)  # time spent per step
    loads: int = 0  # pages opened, judged or not
    harvested: int = 0  # pages fetched only for their links
    first_url: dict[str, tuple[str, str]] = field(default_factory=dict)  # endpoint -> role, url

    def timed(self, step: str, since: float) -> None:
        self.seconds[step] = self.seconds.get(step, 0.0) + time.monotonic() - since

    def scanned_in(self, mode: Mode) -> set[str]:
        return self.scanned.setdefault(mode.name, set())


class Site:
    """Maps the site's URLs to their Flask endpoints."""

    def __init__(self, app: Flask, base_url: str):
        self.base_url = base_url
        self.origin = urlsplit(base_url).netloc
        self.adapter = app.url_map.bind("")

    def endpoint(self, url: str) -> str | None:
        """The endpoint a same-site GET of `url` reaches, None for other sites, files and
        unknown paths."""
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != self.origin:
            return None
        if parts.path.lower().endswith(FILE_SUFFIXES):
            return None
        try:
            endpoint, _args = self.adapter.match(parts.path, method="GET")
        except RequestRedirect as moved:
            return self.endpoint(moved.new_url)
        except HTTPException:
            return None
        return None if endpoint == "static" else endpoint

    def absolute(self, url: str) -> str:
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.base_url}{parts.path}{query}"


class _LinkParser(HTMLParser):
    """The hrefs of a page's links (not download links)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href") and "download" not in a:
            self.hrefs.append(a["href"])


class Crawler:
    """One browser; a fresh context per person and mode; one page in it, reused."""

    def __init__(self, browser: Browser, site: Site, report: Report):
        self.browser, self.site, self.report = browser, site, report

    def crawl(self, visitor: Visitor, mode: Mode) -> None:
        """Follow links from the visitor's starting points, judging each endpoint once.

        Further URLs of a judged endpoint (another idea, another meeting) are not judged
        again, but the first few are fetched for their links: a page linked only from
        the second idea's thread is found too."""
        tried: set[str] = set()  # endpoints opened, judged or refused
        seen: set[str] = set()
        harvested: Counter = Counter()
        queue = deque(self.site.absolute(s) for s in visitor.starts)
        with self._as(visitor, mode) as page:
            while queue:
                url = queue.popleft()
                endpoint = self.site.endpoint(url)
                if (url in seen or endpoint is None or endpoint in self.report.not_pages
                        or endpoint in NOT_FOLLOWED):
                    continue
                seen.add(url)
                if endpoint not in tried:
                    tried.add(endpoint)
                    judged = self._judge(page, url, endpoint, visitor.role, mode, tried)
                    if judged:
                        self.report.first_url.setdefault(judged, (visitor.role, page.url))
                        queue.extend(map(self.site.absolute, page.evaluate(LINKS)))
                elif harvested[endpoint] < MORE_OF_A_KIND:
                    harvested[endpoint] += 1
                    queue.extend(map(self.site.absolute, self._links_of(page, url)))

    def _links_of(self, page: Page, url: str) -> list[str]:
        """The links of a page, fetched without showing it (same cookies)."""
        response = page.context.request.get(url)
        self.report.harvested += 1
        if response.status >= 500:
            self.report.errors.append(f"{url} answered {response.status}")
        if not response.ok or "text/html" not in response.headers.get("content-type", ""):
            return []
        links = _LinkParser()
        links.feed(response.text())
        return [urljoin(url, href) for href in links.hrefs]

    def revisit(self, visitor: Visitor, mode: Mode, urls: list[str]) -> None:
        """Open pages an earlier crawl found, as the same visitor, in another mode."""
        done: set[str] = set(self.report.scanned_in(mode))
        with self._as(visitor, mode) as page:
            for url in urls:
                endpoint = self.site.endpoint(url)
                if endpoint and endpoint not in done:
                    done.add(endpoint)
                    self._judge(page, url, endpoint, visitor.role, mode, done)

    def _judge(self, page: Page, url: str, endpoint: str, role: str, mode: Mode,
               done: set[str]) -> str | None:
        """Open `url` and run axe on the page it shows; the endpoint judged, if any (a
        redirect may land on another one)."""
        self.report.loads += 1
        started = time.monotonic()
        try:
            response = page.goto(url)
            self.report.timed("load", started)
        except Error as failed:  # a download, or a page that never loads
            if "Download is starting" in failed.message:
                self.report.not_pages.add(endpoint)
                return None
            raise
        status = response.status if response else 0
        if status >= 500:
            self.report.errors.append(f"{mode.name} · {role} · {url} answered {status}")
        if status >= 400:
            self.report.refused.append(f"{mode.name} · {role} · {url} answered {status}")
            return None
        if "text/html" not in (response.headers.get("content-type", "") if response else ""):
            self.report.not_pages.add(endpoint)
            return None
        landed = self.site.endpoint(page.url)
        if landed != endpoint:  # redirected (to log in, or onwards): judge the target
            if landed is None or landed in done:
                return None
            endpoint = landed
        done.add(endpoint)
        self.report.scanned_in(mode).add(endpoint)
        self.report.pages[mode.name, role] += 1
        started = time.monotonic()
        self._keyboard(page, f"{mode.name} · {role} · {endpoint}")
        self.report.timed("keyboard", started)
        started = time.monotonic()
        problems = self._axe(page)
        self.report.timed("axe", started)
        if problems:
            self.report.findings.append(Finding(mode.name, role, endpoint, page.url, problems))
        return endpoint

    def _keyboard(self, page: Page, where: str) -> None:
        """The first Tab lands on a skip link (or already in the main content), and the
        focus it lands on can be seen."""
        page.keyboard.press("Tab")
        first = page.evaluate(FIRST_TAB)
        if first is None:  # a screen to look at, nothing to operate
            return
        if not (first["skip"] or first["inMain"]):
            self.report.keyboard.append(f"{where}: the first Tab lands on no skip link: "
                                        f"{first['html']}")
        if not first["shown"]:
            self.report.keyboard.append(f"{where}: focus not visible on {first['html']}")

    def _axe(self, page: Page) -> list[dict]:
        try:
            return page.evaluate(AXE_RUN)
        except Error:  # a polling fragment swapped the node axe was reading: once more
            return page.evaluate(AXE_RUN)

    def _as(self, visitor: Visitor, mode: Mode):
        return _Session(self, visitor, mode)


class _Session:
    """A fresh context as `visitor` in `mode`, with axe in every document, signed in."""

    def __init__(self, crawler: Crawler, visitor: Visitor, mode: Mode):
        self.crawler, self.visitor, self.mode = crawler, visitor, mode

    def __enter__(self) -> Page:
        site = self.crawler.site
        self.context = self.crawler.browser.new_context(
            bypass_csp=True, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(path=str(AXE))
        cookies = list(self.visitor.cookies)
        if self.mode.lang:
            cookies.append({"name": LANG_COOKIE, "value": self.mode.lang,
                            "url": site.base_url})
        if cookies:
            self.context.add_cookies(cookies)
        if self.mode.prepare:
            self.mode.prepare(self.context, site.base_url)
        page = self.context.new_page()
        if self.visitor.username:
            sign_in(page, site.base_url, self.visitor.username, self.visitor.password)
        return page

    def __exit__(self, *exc) -> None:
        self.context.close()


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    form = page.locator("form#account-form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()
    if page.locator("header form[action$='/logout']").count() == 0:
        raise AssertionError(f"{username} could not sign in: {page.url}")
