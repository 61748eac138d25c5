"""bandit (-ll: medium and high severity) finds nothing left unexplained in our code:
every finding we accept carries `# nosec <test id>: <why it is safe>` on its line."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from app.settings import ROOT

CODE = ("app", "proposals", "deliberation", "wsgi.py")
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)")
EXPLAINED = re.compile(r"^\s+B\d{3}(,\s*B\d{3})*:\s*\S")


def test_bandit_finds_nothing_unexplained():
    run = subprocess.run([sys.executable, "-m", "bandit", "-ll", "-q", "-r", *CODE,
                          "-f", "json"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=False)
    report = json.loads(run.stdout)
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
                for r in report["results"]]
    assert not findings, "\n".join(findings)
    assert not report["errors"], report["errors"]


def test_every_nosec_names_its_test_and_says_why():
    bare = []
    for folder in CODE:
        paths = [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py")
        for path in paths:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found = NOSEC.search(line)
                if found and not EXPLAINED.match(found["rest"]):
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert not bare, f"nosec without a test id and a reason: {bare}"
