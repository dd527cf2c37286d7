"""Property test of the P3 restatement guard on random days and random late changes.

A day is published, then restated with reads added (one meter, or every
meter missing from a feeder half-hour), removed, or made to conflict, and
maybe one meter moved to another feeder. From the published files alone,
every substation half-hour (block) present in both publications either
keeps its earlier rows exactly or has the same publication pattern and
every cell (substation, each published feeder, the hidden group) changed by
0 or by at least the threshold's meters, with the second register unchanged;
a block that changes shows the values a first publication of the new reads
shows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.ssen_smartmeter.pipeline import (
    AggregateConfig,
    NoAcceptedReads,
    PreviousPublication,
    aggregate_day,
    public_view,
)

from .helpers import rows
from .reference import Read
from .test_properties import _write_text, _write_topology

DAY = dt.date(2024, 2, 12)
START = dt.datetime(2024, 2, 12, tzinfo=dt.UTC)
FIRST = dt.datetime(2024, 2, 14, 6, 0, tzinfo=dt.UTC)
SECOND = dt.datetime(2024, 2, 20, 9, 30, tzinfo=dt.UTC)
SECOND_TS = "2024-02-20T09:30:00.000Z"
T = 5
VALUES = [Decimal(v) for v in ("0", "0.5", "2.5", "10", "333.333", "1234.5")]
COLUMNS = (
    "aggregated_device_count_active",
    "primary_consumption_active_import",
    "secondary_consumption_active_import",
    "total_consumption_active_import",
    "aggregated_device_count_reactive",
    "total_consumption_reactive_import",
)
EMPTY = (None,) * 6
CA, PA, SA, TA, CR, TR = range(6)
#: per feeder half-hour: "batch" adds every missing meter when at least T are missing
LATE = ["none", "none", "one", "all", "batch", "drop_one", "drop_all", "conflict"]


@st.composite
def restatements(draw):
    """(feeders, first reads, restated reads, restated feeders)."""
    # mixed registers and feeder sizes make most late changes uneven (held);
    # uniform reads on large feeders, half read before and the rest late in
    # a batch, let blocks change
    uniform = draw(st.booleans())
    # uniform: every meter with a second register, or none
    second = draw(st.sampled_from([None, Decimal("3")]))
    if uniform:
        sizes, density, modes = [0, 2, 12, 20], 5, ["none", "batch", "batch", "one"]
    else:
        sizes = [0, 1, 2, 4, 5, 6, 8, 12, 20]
        density = draw(st.sampled_from([3, 5, 6, 8, 10]))
        modes = draw(st.sampled_from([LATE, ["none", "batch"]]))
    feeders: dict[str, list[str]] = {}
    serial = 0
    for sub in range(draw(st.integers(1, 3))):
        for lv in range(draw(st.integers(1, 3))):
            # a topology has at least one meter
            size = draw(st.sampled_from([s for s in sizes if s or serial]))
            fid = f"{sub + 1:04d}001001{lv + 1:02d}"
            feeders[fid] = [f"{1000000000000 + (serial := serial + 1)}" for _ in range(size)]
    periods = draw(st.lists(st.integers(0, 47), min_size=1, max_size=3, unique=True))
    # which meters read, and their values: seeded (hypothesis's draws favour
    # the simplest choice, here every meter read and nothing left to arrive late)
    rng = random.Random(draw(st.integers(0, 10**6)))

    def reading(mpan: str, idx: int) -> Read:
        end = START + dt.timedelta(minutes=30 * (idx + 1))
        if uniform:
            return Read(mpan, end, rng.choice(VALUES), second, Decimal("7"))
        a = rng.choice([*VALUES, None])
        s = rng.choice([None, None, None, Decimal("0.5"), Decimal("3")])
        r = rng.choice([None, Decimal("0.5"), Decimal("7")])
        return Read(mpan, end, a, s, r)

    first: list[Read] = []
    read_at: dict[tuple[str, int], list[Read]] = defaultdict(list)
    for idx in periods:
        for fid, meters in feeders.items():
            for mpan in meters:
                if rng.randrange(10) < density:
                    read = reading(mpan, idx)
                    first.append(read)
                    read_at[(fid, idx)].append(read)
    restated = list(first)
    for idx in periods:
        for fid, meters in feeders.items():
            done = {r.mpan for r in read_at[(fid, idx)]}
            missing = [m for m in meters if m not in done]
            late = rng.choice(modes)
            if late == "one" and missing:
                restated.append(reading(rng.choice(missing), idx))
            elif late == "all" or (late == "batch" and len(missing) >= T):
                restated += [reading(m, idx) for m in missing]
            elif late == "drop_one" and read_at[(fid, idx)]:
                restated.remove(rng.choice(read_at[(fid, idx)]))
            elif late == "drop_all":
                restated = [r for r in restated if r not in read_at[(fid, idx)]]
            elif late == "conflict" and read_at[(fid, idx)]:
                base = rng.choice(read_at[(fid, idx)])
                restated.append(Read(base.mpan, base.period_end, (base.a or 0) + 1, None, None))
    moved = {fid: list(meters) for fid, meters in feeders.items()}
    everyone = [m for meters in feeders.values() for m in meters]
    if everyone and draw(st.booleans()):  # one meter moves to another feeder
        mpan = draw(st.sampled_from(everyone))
        target = draw(st.sampled_from(sorted(feeders)))
        for meters in moved.values():
            if mpan in meters:
                meters.remove(mpan)
        moved[target].append(mpan)
    return feeders, first, restated, moved


def _publish(base: Path, name: str, feeders, reads, published, previous=None) -> object:
    topology = base / f"topology-{name}"
    _write_topology(topology, feeders)
    (base / f"reads-{name}").mkdir()
    path = base / f"reads-{name}" / "reads.csv"
    _write_text(path, reads)
    return aggregate_day(
        [path],
        topology,
        DAY,
        base / name,
        AggregateConfig(published_at=published, threads=1),
        previous=PreviousPublication.from_dir(base / previous, DAY) if previous else None,
    )


def _load(out: Path) -> dict[tuple[str, str], tuple[tuple, str, str]]:
    """(dataset_id, time) -> (values, insert_time, last_modified_time), both levels."""
    loaded = {}
    for level in ("lv_feeder", "secondary_substation"):
        per_key: dict[str, int] = defaultdict(int)
        for row in rows(out / level / f"{DAY}.csv"):
            values = tuple(None if row[c] == "" else int(row[c]) for c in COLUMNS)
            key = (row["dataset_id"], row["data_collection_log_timestamp"])
            loaded[key] = (values, row["insert_time"], row["last_modified_time"])
            per_key[row["dataset_id"]] += 1
        assert set(per_key.values()) <= {48}  # every key keeps its 48 half-hours
    return loaded


def _blocks(published) -> dict[tuple[str, str], dict[str, tuple]]:
    """(substation, time) -> {dataset_id: values} over both levels."""
    blocks: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for (dataset_id, ts), (values, _, _) in published.items():
        blocks[(dataset_id[:10], ts)][dataset_id] = values
    return blocks


def _cell_ok(old: tuple, new: tuple) -> bool:
    """One row's cells: the secondary unchanged; each measure's count and value
    unchanged, or its count moved by at least T."""
    if old[SA] != new[SA]:
        return False
    for count, value in ((CA, TA), (CR, TR)):
        if old[count] is None:
            continue
        if (old[count], old[value]) != (new[count], new[value]) and abs(
            new[count] - old[count]
        ) < T:
            return False
    return True


def _hidden(block: dict[str, tuple], sub: str, count: int, value: int) -> tuple[int, int]:
    """The hidden group of a measure: substation minus its published feeders."""
    feeders = [v for k, v in block.items() if k != sub and v[count] is not None]
    return (
        block[sub][count] - sum(v[count] for v in feeders),
        block[sub][value] - sum(v[value] for v in feeders),
    )


def check_guard(old, new, fresh, held_blocks: int) -> None:
    old_blocks, new_blocks, fresh_blocks = _blocks(old), _blocks(new), _blocks(fresh)
    held = 0
    for block in set(old_blocks) | set(new_blocks):
        if block not in old_blocks:  # new to the day: as a first publication shows it
            assert new_blocks[block] == fresh_blocks[block]
            continue
        if block not in new_blocks:  # removed: its substation has no read any more
            assert block not in fresh_blocks
            continue
        keys = set(old_blocks[block]) | set(new_blocks[block]) | set(fresh_blocks[block])
        o = {k: old_blocks[block].get(k, EMPTY) for k in keys}
        n = {k: new_blocks[block].get(k, EMPTY) for k in keys}
        f = {k: fresh_blocks[block].get(k, EMPTY) for k in keys}
        if n == o:
            held += f != o
            continue
        assert n == f  # a block that changes takes the new values
        sub = block[0]
        for k in keys:
            assert [v is None for v in o[k]] == [v is None for v in n[k]], (block, k)
            assert _cell_ok(o[k], n[k]), (block, k)
        for count, value in ((CA, TA), (CR, TR)):
            if o[sub][count] is None:
                continue
            (on, ov), (nn, nv) = _hidden(o, sub, count, value), _hidden(n, sub, count, value)
            # (a group of no meter in either holds only the feeders' rounding)
            assert (on, nn) == (0, 0) or (on, ov) == (nn, nv) or abs(nn - on) >= T, (block, count)
    assert held == held_blocks

    # times: kept where the values are the earlier ones, moved where they changed
    for key, (values, insert, modified) in new.items():
        if key not in old:
            assert (insert, modified) == (SECOND_TS, SECOND_TS)
        elif old[key][0] == values:
            assert (insert, modified) == old[key][1:]
        else:
            assert (insert, modified) == (old[key][1], SECOND_TS)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(case=restatements())
def test_a_restatement_never_isolates_fewer_than_threshold_meters(case, tmp_path_factory):
    feeders, first, restated, moved = case
    base = tmp_path_factory.mktemp("restate")
    if not first:  # nothing to publish: refused, nothing written
        with pytest.raises(NoAcceptedReads):
            _publish(base, "first", feeders, first, FIRST)
        assert not (base / "first").exists()
        return
    _publish(base, "first", feeders, first, FIRST)
    try:
        report = _publish(base, "again", moved, restated, SECOND, previous="first")
    except NoAcceptedReads:
        # every restated read gone or conflicting: the day stays as published
        # (nothing written), as a first publication of those reads is refused
        assert not (base / "again").exists()
        with pytest.raises(NoAcceptedReads):
            _publish(base, "fresh", moved, restated, SECOND)
        return
    _publish(base, "fresh", moved, restated, SECOND)
    old, new, fresh = _load(base / "first"), _load(base / "again"), _load(base / "fresh")
    check_guard(old, new, fresh, report.restatement_blocks_held)
    # the report counts what was written
    counts = report.restatement
    lv_new = [k for k in new if len(k[0]) == 12]
    lv_old = [k for k in old if len(k[0]) == 12]
    assert counts["lv_feeder"]["new_rows"] == len(set(lv_new) - set(lv_old))
    assert counts["lv_feeder"]["removed_rows"] == len(set(lv_old) - set(lv_new))
    assert counts["lv_feeder"]["changed_rows"] == sum(
        1 for k in set(lv_new) & set(lv_old) if new[k][0] != old[k][0]
    )
    # the counts the report says the file publishes are the file's (held rows
    # included), and a held block withholds the exact totals
    per_time: dict[str, int] = defaultdict(int)
    for k in lv_new:
        per_time[k[1]] += new[k][0][CA] or 0
    assert report.rows_published == sum(per_time.values())
    assert report.meters_published == max(per_time.values(), default=0)
    if report.restatement_blocks_held:
        assert public_view(report.to_dict())["rows_accepted"] is None
