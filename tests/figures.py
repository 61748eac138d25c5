"""Figures the suite measures as it checks (pages opened, cases tried), for closing notes:
written to the terminal past pytest's capture and kept in test-artifacts/figures.txt."""
from __future__ import annotations

from app.settings import ROOT

FILE = ROOT / "test-artifacts" / "figures.txt"


def report(config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    FILE.parent.mkdir(exist_ok=True)
    with FILE.open("a", encoding="utf-8") as out:
        out.write(line.strip() + "\n")
