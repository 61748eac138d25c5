"""bench/results.md from results.json's figures: the tables and the issue's goals."""
from __future__ import annotations

# Issue 10's goals, on the 2-core machine.
IDEA_RATIO, IDEA_P99_MS = 0.40, 100
BALLOTS_PER_S = 500
WEIGHT_KB = 60
WORKER_MB = 120


def _n(value, fmt="{:.1f}") -> str:
    return "–" if value is None else fmt.format(value)


def _pages(r: dict) -> list[str]:
    out = ["| page | db | req/s | p50 ms | p99 ms | ratio to bare | CSS+JS KB (gzip) | "
           "HTML KB (gzip) |", "|---|---|---|---|---|---|---|---|"]
    for p in r["pages"]:
        out.append(f"| {p['name']} | {p['db']} | {_n(p['rps'])} | {_n(p['p50_ms'])} | "
                   f"{_n(p['p99_ms'])} | {_n(p['ratio'], '{:.2f}')} | "
                   f"{_n(r['page_weight_kb'].get(p['name']))} | "
                   f"{_n(r['html_kb'].get(p['name']))} |")
    return out


def _tally(r: dict) -> list[str]:
    out = ["| file | rule | ours (s) | pabutools (s) |", "|---|---|---|---|"]
    for t in r["tally"]:
        theirs = t["pabutools_seconds"]
        out.append(f"| {t['file']} | {t['rule']} | {t['seconds']:.3f} | "
                   f"{'past the cap' if theirs is None else f'{theirs:.2f}'} |")
    return out


def goals(r: dict) -> list[tuple[str, bool | None, str]]:
    """(goal, met or None when not measured, the figures)."""
    found = []
    for p in r["pages"]:
        if p["name"].startswith("idea"):
            met = p["ratio"] >= IDEA_RATIO and p["p99_ms"] < IDEA_P99_MS
            found.append((f"{p['name']} ({p['db']}) ≥ {IDEA_RATIO:.0%} of bare, p99 < "
                          f"{IDEA_P99_MS} ms", met,
                          f"{p['ratio']:.0%} of bare, p99 {p['p99_ms']:.0f} ms"))
    b = r.get("ballots_per_s")
    errors = sum((r["details"].get("ballots") or {}).get(k, 0) or 0 for k in
                 ("refused", "rate_limited", "other", "socket_errors"))
    found.append((f"ballots ≥ {BALLOTS_PER_S}/s on SQLite, no errors",
                  None if b is None else b >= BALLOTS_PER_S and not errors,
                  f"{_n(b)}/s, {errors} errors"))
    weights = r.get("page_weight_kb") or {}
    heaviest = max(weights.values(), default=None)
    found.append((f"first load ≤ {WEIGHT_KB} KB CSS+JS compressed",
                  None if heaviest is None else heaviest <= WEIGHT_KB,
                  f"heaviest {_n(heaviest)} KB"))
    rss = r.get("worker_rss_mb")
    found.append((f"worker < {WORKER_MB} MB on the city set",
                  None if rss is None else rss < WORKER_MB, f"{_n(rss)} MB"))
    return found


def markdown(r: dict) -> str:
    run = r["run"]
    lines = ["# Benchmark results", "",
             f"`make bench`{' --quick' if run.get('quick') else ''}, started "
             f"{run.get('started')}, {run.get('cores')} cores, load average "
             f"{run.get('load_average_at_start')} at the start, {run.get('minutes')} min. "
             "Written by bench/run_all.py; the figures are bench/results.json's.", ""]
    if run.get("broken"):
        lines += [f"**Broken:** {', '.join(run['broken'])}", ""]
    setup = r["details"].get("pages_setup") or {}
    lines += ["## Pages", "",
              f"wrk, 32 connections, {setup.get('seconds', '?')} s a page, anonymous; "
              f"gunicorn {setup.get('workers', '?')} workers × {setup.get('threads', '?')} "
              f"threads (app/gunicorn_conf.py) on the `{setup.get('preset', '?')}` set. The "
              "ratio is to `bare` measured on the same server; the weights are the page's "
              "first load (the projector's screen for its fragment).", "", *_pages(r), "",
              f"Largest gunicorn worker afterwards: {r['details'].get('worker_rss_mb_by_db')} MB.",
              ""]
    b = r["details"].get("ballots") or {}
    if b:
        lines += ["## Ballots", "",
                  f"{b['ballots_per_s']} ballots saved per second on {b['db']} ({b['saved']} in "
                  f"{b['seconds']:g} s, {b['voters']} voters signed in beforehand, 32 "
                  f"connections, wrk + bench/ballots.lua); p50 {b['p50_ms']} ms, p99 "
                  f"{b['p99_ms']} ms; refused {b['refused']}, rate-limited {b['rate_limited']}, "
                  f"other {b['other']}, socket errors {b['socket_errors']}.", ""]
    p = r["details"].get("projector") or {}
    if p:
        lines += ["## Projector", "",
                  f"{p['clients']} phones polling the {p.get('watch')} on {p.get('db')}: delay "
                  f"from a chair's action to a phone seeing it p50 {p['p50_ms']} ms, p95 "
                  f"{p['p95_ms']} ms; {p.get('rps')} requests/s, {p.get('share_204', 0):.0%} "
                  f"204, server CPU {p.get('server_cpu_pct')} % of one core.", ""]
    if r["tally"]:
        lines += ["## Counting (bench/tally.py)", "", *_tally(r), ""]
    lines += ["## Goals (issue 10)", "", "| goal | met | figures |", "|---|---|---|"]
    for goal, met, figures in goals(r):
        mark = "not measured" if met is None else "yes" if met else "**no**"
        lines.append(f"| {goal} | {mark} | {figures} |")
    return "\n".join(lines) + "\n"
