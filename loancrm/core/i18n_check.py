"""Check that the zh-Hans and en catalogues are complete: ``python -m loancrm.core.i18n_check``.

``--update`` first refreshes both catalogues from the source (then translate the new zh_Hans entries).

It extracts the messages of the current source into a scratch copy of the catalogues (the committed
files are untouched) and fails when a message is missing from a catalogue, untranslated or fuzzy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("zh_Hans", "en")


def extracted_msgids(scratch: Path) -> set[tuple[str, str]]:
    """Run makemessages over a scratch copy of the source and return its (context, msgid) pairs."""
    skip = shutil.ignore_patterns(
        ".venv", "node_modules", "static", "staticfiles", "var", ".git", "*.pyc", "__pycache__"
    )
    shutil.copytree(ROOT, scratch / "src", ignore=skip)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v", "0"]
    subprocess.run(command, cwd=scratch / "src", env=env, check=True)  # noqa: S603
    catalogue = polib.pofile(str(scratch / "src/locale/zh_Hans/LC_MESSAGES/django.po"))
    return {(e.msgctxt or "", e.msgid) for e in catalogue if not e.obsolete}


def problems() -> list[str]:
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        expected = extracted_msgids(Path(tmp))
    for language in LANGUAGES:
        catalogue = polib.pofile(str(ROOT / f"locale/{language}/LC_MESSAGES/django.po"))
        present = {(e.msgctxt or "", e.msgid) for e in catalogue if not e.obsolete}
        found += [f"{language}: missing {msgid!r}" for _ctx, msgid in sorted(expected - present)]
        for entry in catalogue:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                found.append(f"{language}: fuzzy {entry.msgid!r}")
            elif not entry.translated():
                found.append(f"{language}: untranslated {entry.msgid!r}")
    return found


def update() -> None:
    """Refresh both catalogues from the source; English entries are filled with their msgids."""
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-l", "en", "--no-obsolete", "-v", "0"]
    for ignored in (".venv", "node_modules", "static", "staticfiles", "var"):
        command += ["--ignore", ignored]
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603
    english = polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))
    for entry in english:
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
    english.save()


def main() -> int:
    if "--update" in sys.argv:
        update()
    issues = problems()
    for issue in issues:
        print(issue)  # noqa: T201
    print(f"i18n: {len(issues)} problem(s)")  # noqa: T201
    return 1 if issues else 0


if __name__ == "__main__":
    raise SystemExit(main())
