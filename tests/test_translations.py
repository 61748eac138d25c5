"""Every message has a translation in both languages, and the catalogues are current."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "app" / "translations"


def _extract(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
                    str(ROOT)], check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def _catalogue(locale: str):
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def test_every_message_is_translated_in_both_languages(tmp_path):
    wanted = _extract(tmp_path)
    assert len(wanted) > 100
    for locale in ("zh_Hans", "en"):
        catalogue = _catalogue(locale)
        missing = sorted(m for m in wanted
                         if m not in catalogue or not _translated(catalogue[m]))
        assert not missing, f"{locale} lacks {len(missing)} translations, e.g. {missing[:5]}"
        fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
        assert not fuzzy, f"{locale} has fuzzy translations: {fuzzy[:5]}"


def _translated(message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return all(message.string)
    return bool(message.string)


def test_placeholders_survive_translation():
    import re
    pattern = re.compile(r"%\(\w+\)[sd]")
    for locale in ("zh_Hans", "en"):
        for m in _catalogue(locale):
            if m.id and isinstance(m.id, str) and m.string:
                assert set(pattern.findall(m.id)) == set(pattern.findall(m.string)), (locale, m.id)


def test_chinese_catalogue_is_chinese():
    catalogue = _catalogue("zh_Hans")
    strings = [m.string for m in catalogue if m.id and isinstance(m.string, str)]
    chinese = [s for s in strings if any("\u4e00" <= ch <= "\u9fff" for ch in s)]
    assert len(chinese) >= 0.9 * len(strings)
