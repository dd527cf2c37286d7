"""Source configuration: every invalid key gets its own message (pure logic)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from ckanext.ssen_smartmeter.harvest.source_config import SourceConfigError, parse


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for name in ("reads", "topology"):
        (tmp_path / "root" / name).mkdir(parents=True)
    return tmp_path / "root"


def valid(root: Path, **overrides: Any) -> str:
    config: dict[str, Any] = {
        "reads": str(root / "reads"),
        "reads_pattern": "{date}.parquet",
        "topology": str(root / "topology"),
        "licence_areas": ["SEPD", "SHEPD"],
        "first_date": "2024-02-01",
    }
    config.update(overrides)
    return json.dumps({k: v for k, v in config.items() if v is not None})


def errors(text: str, roots: list[Path], site_threshold: int = 5) -> dict[str, str]:
    with pytest.raises(SourceConfigError) as info:
        parse(text, roots, site_threshold)
    return info.value.errors


def test_a_minimal_config_gets_the_defaults(root: Path) -> None:
    config = parse(valid(root), [root])
    assert config.reads.path == (root / "reads").resolve()
    assert config.licence_areas == ("SHEPD", "SEPD") and config.licence_area_value == "both"
    assert (config.lag_days, config.threshold, config.formats, config.timezone) == (
        2,
        5,
        ("csv", "parquet"),
        "UTC",
    )
    assert config.first_date == dt.date(2024, 2, 1) and config.last_date is None
    assert config.reads_name(dt.date(2024, 2, 3)) == "2024-02-03.parquet"


def test_remote_locations_and_strftime_patterns(root: Path) -> None:
    config = parse(
        valid(
            root,
            reads="https://data.example.org/reads",
            reads_pattern="{date:%Y/%m}/reads_{date:%Y%m%d}.csv.gz",
            licence_areas="SEPD",
        ),
        [root],
    )
    assert config.reads.url == "https://data.example.org/reads/"
    assert config.reads_name(dt.date(2024, 2, 3)) == "2024/02/reads_20240203.csv.gz"
    assert config.licence_area_value == "SEPD"


@pytest.mark.parametrize(
    ("overrides", "key", "fragment"),
    [
        ({"reads": None}, "reads", "is required"),
        ({"reads": "/etc"}, "reads", "outside the allowed source roots"),
        ({"reads": "relative/path"}, "reads", "must be an absolute path"),
        ({"reads": "ftp://example.org/x"}, "reads", "scheme 'ftp' is not allowed"),
        ({"topology": "https://"}, "topology", "no host"),
        ({"reads_pattern": "reads.parquet"}, "reads_pattern", "must contain {date}"),
        ({"reads_pattern": "{date}_{hour}.parquet"}, "reads_pattern", "only {date} placeholders"),
        ({"reads_pattern": "../{date}.parquet"}, "reads_pattern", "without '..'"),
        ({"reads_pattern": "{date}.xlsx"}, "reads_pattern", "must end with one of"),
        ({"licence_areas": ["SHEPD", "NORTH"]}, "licence_areas", "unknown licence area 'NORTH'"),
        ({"first_date": "2024-02-30"}, "first_date", "is not a date"),
        ({"last_date": "2024-01-01"}, "last_date", "before first_date"),
        ({"lag_days": 0}, "lag_days", "must be at least 1"),
        ({"lag_days": "2"}, "lag_days", "must be a whole number"),
        ({"threshold": 4}, "threshold", "must be at least 5, got 4"),
        ({"formats": ["csv", "xlsx"]}, "formats", "unknown format 'xlsx'"),
        ({"formats": []}, "formats", "non-empty list"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not an IANA time zone"),
        ({"dno_alias": ""}, "dno_alias", "non-empty string"),
        ({"organisation": "Not An Org!"}, "organisation", "must be an organisation name"),
        ({"treshold": 5}, "treshold", "unknown key"),
    ],
)
def test_each_invalid_key_gets_a_specific_message(
    root: Path, overrides: dict[str, Any], key: str, fragment: str
) -> None:
    found = errors(valid(root, **overrides), [root])
    assert list(found) == [key]
    assert fragment in found[key]


def test_all_problems_are_reported_at_once_in_key_order(root: Path) -> None:
    found = errors(valid(root, reads="/etc", threshold=3, timezone="Nowhere"), [root])
    assert list(found) == ["reads", "threshold", "timezone"]
    message = str(SourceConfigError(found))
    assert message.startswith("reads: '/etc' is outside") and "; threshold: " in message


def test_the_site_threshold_is_a_floor(root: Path) -> None:
    assert (
        errors(valid(root, threshold=6), [root], site_threshold=8)["threshold"]
        == "must be at least 8, got 6 (rule P1: values from fewer meters are never published)"
    )
    assert parse(valid(root), [root], site_threshold=8).threshold == 8


def test_local_paths_need_a_root_and_may_not_escape_it(root: Path, tmp_path: Path) -> None:
    assert "no ckanext.ssen_smartmeter.source_roots" in errors(valid(root), [])["reads"]
    (tmp_path / "outside").mkdir()
    (root / "escape").symlink_to(tmp_path / "outside")
    assert (
        "outside the allowed source roots"
        in errors(valid(root, reads=str(root / "escape")), [root])["reads"]
    )
    assert (
        "not an existing folder"
        in errors(valid(root, reads=str(root / "missing")), [root])["reads"]
    )


def test_wildcards_only_for_local_reads(root: Path) -> None:
    assert parse(valid(root, reads_pattern="{date}/part-*.parquet"), [root])
    assert (
        "wildcards are only allowed for local folders"
        in errors(
            valid(root, reads="https://x.example/r/", reads_pattern="{date}/*.parquet"), [root]
        )["reads_pattern"]
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is empty"),
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_unparseable_configs(text: str, fragment: str, root: Path) -> None:
    assert fragment in errors(text, [root])["config"]
