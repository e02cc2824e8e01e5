"""The CJK font the contract PDF embeds, found with fontconfig (``fc-list :lang=zh``).

Invariant: rendering never falls back silently to a font without Chinese glyphs (which would print empty boxes):
when fontconfig knows no Chinese font, ``cjk_font_family`` raises ``CjkFontMissing`` naming the package to install.
"""

from __future__ import annotations

import shutil
import subprocess

from loancrm.contracts.errors import CjkFontMissing

PREFERRED = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")
PACKAGE = "fonts-noto-cjk"


def detect_cjk_fonts() -> list[str]:
    """The font families fontconfig lists for Chinese (empty when none, or when fontconfig is absent)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return []
    families: list[str] = []
    for line in out.stdout.splitlines():
        for name in line.split(","):
            name = name.strip()
            if name and name not in families:
                families.append(name)
    return families


def cjk_font_family() -> str:
    """The CSS ``font-family`` list for the contract: the preferred installed CJK families first."""
    found = detect_cjk_fonts()
    if not found:
        raise CjkFontMissing()
    chosen = [name for name in PREFERRED if name in found] or found[:1]
    return ", ".join(f'"{name}"' for name in chosen)
