"""URL names from titles (pure, no CKAN)."""

from __future__ import annotations

import pytest

from ckanext.ssen_roadmap.names import url_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoë Müller", "zoe-muller"),
        ("Müller’s Straße", "mullers-strasse"),
        ("Łódź, Ærø and Þingvellir", "lodz-aero-and-thingvellir"),
        ("Crème brûlée: 2026/27", "creme-brulee-2026-27"),
        ("  --Feeder   loads--  ", "feeder-loads"),
        ("Ελληνικά", ""),
        ("", ""),
    ],
)
def test_letters_keep_their_base_form(text: str, expected: str) -> None:
    assert url_words(text) == expected


def test_long_titles_are_cut_at_a_word() -> None:
    words = url_words("substation headroom " * 10, max_length=60)
    assert len(words) <= 60
    assert words.startswith("substation-headroom-substation")
    assert words.endswith(("substation", "headroom"))
    assert url_words("x" * 80, max_length=60) == "x" * 60
