"""URL names from free text, keeping what accented letters say.

Imports nothing from CKAN. Only a dataset's URL name is reduced to ASCII;
titles, notes and people's names are stored and shown as written.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["url_words"]

# Letters that Unicode does not decompose into a base letter and an accent.
_SPELLED = str.maketrans(
    {
        "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
        "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d",
        "Ð": "d", "þ": "th", "Þ": "th", "ı": "i", "ŋ": "ng", "Ŋ": "ng",
    }
)  # fmt: skip
_APOSTROPHES = re.compile(r"['’‘`´]")


def url_words(text: str, max_length: int = 60) -> str:
    """``"Zoë Müller’s Straße"`` -> ``"zoe-mullers-strasse"``: lower-case
    ASCII letters and digits joined by hyphens, at most ``max_length``
    characters, cut at a hyphen when one is near; ``""`` when nothing is
    left (a title in a script with no Latin form)."""
    spelled = _APOSTROPHES.sub("", text.translate(_SPELLED))
    decomposed = unicodedata.normalize("NFKD", spelled)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[^a-z0-9]+", "-", plain.lower().encode("ascii", "ignore").decode()).strip("-")
    if len(words) > max_length:
        cut = words[:max_length]
        words = cut.rsplit("-", 1)[0] if "-" in cut[max_length // 2 :] else cut
    return words.strip("-")
