"""Property tests on random topologies and reads, against the plain-Python oracle."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.ssen_smartmeter.pipeline import AggregateConfig, QualityReport, public_view, sql
from ckanext.ssen_smartmeter.pipeline.report import WITHHELD_OTHER_AREAS as OTHER_AREAS

from .helpers import rows, run
from .reference import Read, aggregate

DAY = dt.date(2024, 2, 12)
START = dt.datetime(2024, 2, 12, tzinfo=dt.UTC)
VALUES = [Decimal(v) for v in ("0", "0.5", "1.5", "2.25", "2.5", "10", "333.333", "1234.5")]
T = 5


#: feeders of more than 64 meters span several meter groups (``sql.GROUP_BITS``)
BIG_SIZES = [3, 64, 65, 70, 130]


@st.composite
def days(draw, big: bool = False, full: bool = False):
    """A random day; ``full``: every meter reads every half-hour (the cells
    then cover every feeder's 48 half-hours, the outputs' short path)."""
    n_subs = draw(st.integers(1, 3))
    feeders: dict[str, list[str]] = {}
    serial = 0
    for sub in range(n_subs):
        for lv in range(draw(st.integers(1, 4))):
            fid = f"{sub + 1:04d}001001{lv + 1:02d}"
            sizes = [1, 2, 3, 4, 5, 6, 8, 12] if serial == 0 else [0, 1, 2, 3, 4, 5, 6, 8, 12]
            if big:
                sizes = BIG_SIZES
            size = draw(st.sampled_from(sizes))
            feeders[fid] = [f"{1000000000000 + (serial := serial + 1)}" for _ in range(size)]
    mapping = {m: fid for fid, ms in feeders.items() for m in ms}
    meters = sorted(mapping)
    if full:
        periods = list(range(48))
    else:
        periods = draw(st.lists(st.integers(0, 47), min_size=1, max_size=3, unique=True))
    reads: list[Read] = []
    for idx in periods:
        end = START + dt.timedelta(minutes=30 * (idx + 1))
        for mpan in meters:
            if full or draw(st.integers(0, 9)) < 8:
                a = draw(st.sampled_from([*VALUES, None]))
                s = draw(st.sampled_from([None, None, None, Decimal("0.5"), Decimal("3")]))
                r = draw(st.sampled_from([None, Decimal("0.5"), Decimal("7")]))
                reads.append(Read(mpan, end, a, s, r))
    extra = draw(
        st.lists(
            st.tuples(
                st.integers(0, 10**6),
                st.sampled_from(
                    [
                        "identical",
                        "conflict",
                        "negative",
                        "unmapped",
                        "outside",
                        "implausible",
                        "bad_mpan",
                        "unreadable",
                    ]
                ),
            ),
            max_size=6,
        )
    )
    for pick, kind in extra:
        if not reads:
            break
        base = reads[pick % len(reads)]
        if base.unreadable:  # other changes are made to readable reads
            continue
        change = {
            "identical": base,
            "conflict": Read(
                base.mpan, base.period_end, (base.a or Decimal(0)) + 1, base.s, base.r
            ),
            "negative": Read(base.mpan, base.period_end, Decimal(-1), base.s, base.r),
            "unmapped": Read("9999999999999", base.period_end, base.a, base.s, base.r),
            "outside": Read(base.mpan, START, base.a, base.s, base.r),
            "implausible": Read(base.mpan, base.period_end, Decimal(16_777_215), None, None),
            "bad_mpan": Read("12345", base.period_end, base.a, base.s, base.r),
            # a copy whose value is not a number: unreadable, so no duplicate
            "unreadable": Read(base.mpan, base.period_end, base.a, base.s, "n/a")
            if pick % 2
            else Read(base.mpan, base.period_end, "NA", base.s, base.r),
        }[kind]
        reads.append(change)
    seed = draw(st.integers(0, 1000))
    return feeders, mapping, reads, seed


def _write_topology(
    folder: Path, feeders: dict[str, list[str]], areas: dict[str, str] | None = None
) -> None:
    """The topology of ``feeders``; ``areas``: each feeder's licence area (default SEPD)."""
    folder.mkdir(parents=True)
    with open(folder / "lv_feeders.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "dataset_id",
                "secondary_substation_id",
                "secondary_substation_name",
                "lv_feeder_id",
                "lv_feeder_name",
                "substation_geo_location",
                "licence_area",
            ]
        )
        for fid in feeders:
            area = (areas or {}).get(fid, "SEPD")
            out.writerow([fid, fid[:4], f"Sub {fid[:4]}", fid[-2:], "", "", area])
    with open(folder / "meter_feeders.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["mpan", "dataset_id"])
        for fid, meters in feeders.items():
            for m in meters:
                out.writerow([m, fid])


def _table(reads: list[Read]) -> pa.Table:
    def num(values):
        return pa.array([None if v is None else float(v) for v in values], pa.float64())

    return pa.table(
        {
            "mpan": pa.array([r.mpan for r in reads], pa.string()),
            "period_end": pa.array([r.period_end for r in reads], pa.timestamp("us", tz="UTC")),
            "active_import_wh": num([r.a for r in reads]),
            "secondary_active_import_wh": num([r.s for r in reads]),
            "reactive_import_varh": num([r.r for r in reads]),
        }
    )


def _write_reads(folder: Path, reads: list[Read], seed: int) -> list[Path]:
    """Shuffle and split the reads into 1-3 files, Parquet or CSV.

    Unreadable reads (a value that is not a number) go, as text, into the
    first file that has readable rows (a file with none is refused).
    """
    folder.mkdir(parents=True)
    shuffled = [r for r in reads if not r.unreadable]
    random.Random(seed).shuffle(shuffled)
    parts = [shuffled[i :: 1 + seed % 3] for i in range(1 + seed % 3)]
    unreadable = [r for r in reads if r.unreadable]
    text_part = next((i for i, part in enumerate(parts) if part), 0) if unreadable else None
    paths = []
    for i, part in enumerate(parts):
        if i == text_part:
            path = folder / f"part{i}.csv"
            _write_text(path, part + unreadable)
        elif (seed + i) % 2:
            path = folder / f"part{i}.parquet"
            pq.write_table(_table(part), path)
        else:
            path = folder / f"part{i}.csv"
            pacsv.write_csv(_table(part), path)
        paths.append(path)
    return paths


def _write_text(path: Path, reads: list[Read]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow([
            "mpan", "period_end", "active_import_wh", "secondary_active_import_wh",
            "reactive_import_varh",
        ])  # fmt: skip
        for r in reads:
            values = ("" if v is None else str(v) for v in (r.a, r.s, r.r))
            out.writerow([r.mpan, r.period_end.isoformat(), *values])


def _published(path: Path, key_len: int) -> dict[tuple[str, int], tuple]:
    out = {}
    for row in rows(path):
        stamp = dt.datetime.strptime(row["data_collection_log_timestamp"], "%Y-%m-%dT%H:%M:%S.000Z")
        idx = int((stamp.replace(tzinfo=dt.UTC) - START) / dt.timedelta(minutes=30)) - 1
        values = tuple(
            None if row[c] == "" else int(row[c])
            for c in (
                "aggregated_device_count_active",
                "primary_consumption_active_import",
                "secondary_consumption_active_import",
                "total_consumption_active_import",
                "aggregated_device_count_reactive",
                "total_consumption_reactive_import",
            )
        )
        assert len(row["dataset_id"]) == key_len
        if any(v is not None for v in values):
            out[(row["dataset_id"], idx)] = values
    return out


SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@SETTINGS
@given(day=days())
def test_output_matches_oracle_and_privacy_holds(day, tmp_path_factory):
    check_against_oracle(day, tmp_path_factory.mktemp("prop"))


@settings(SETTINGS, max_examples=5)
@given(day=days(big=True))
def test_feeders_of_several_meter_groups_match_oracle(day, tmp_path_factory):
    check_against_oracle(day, tmp_path_factory.mktemp("big"))


@settings(SETTINGS, max_examples=5)
@given(day=days(full=True))
def test_full_days_match_oracle(day, tmp_path_factory):
    check_against_oracle(day, tmp_path_factory.mktemp("full"))


@settings(SETTINGS, max_examples=10)
@given(day=days())
def test_exact_sums_path_matches_oracle(day, tmp_path_factory):
    """A ceiling too high for the packed first pass takes the per-column exact sums."""
    assert sql.packed_field_bits(AggregateConfig(implausible_ceiling_wh=1e8)) is None
    check_against_oracle(day, tmp_path_factory.mktemp("exact"), ceiling=Decimal(10**8))


@settings(SETTINGS, max_examples=10)
@given(day=days(), slices=st.integers(2, 5))
def test_sliced_first_pass_matches_oracle(day, slices, tmp_path_factory):
    """The first pass in several scans (each a share of the feeders) changes nothing."""
    check_against_oracle(day, tmp_path_factory.mktemp("sliced"), slices=slices)


@settings(SETTINGS, max_examples=15)
@given(day=days(), split=st.integers(0, 2**12 - 1), slices=st.sampled_from([None, 2, 3]))
def test_a_licence_area_matches_oracle_on_its_own_reads(day, split, slices, tmp_path_factory):
    """A source of one licence area publishes the files of a topology of its
    feeders alone (the same bytes); the other area's reads are neither read
    nor rejected but counted apart, and a meter of no feeder stays unmapped."""
    feeders = day[0]
    # the first feeder (never empty) is SHEPD's, the others either
    areas = {fid: "SHEPD" if i == 0 or split >> i & 1 else "SEPD" for i, fid in enumerate(feeders)}
    base = tmp_path_factory.mktemp("areas")
    report = check_against_oracle(day, base, slices=slices, areas=areas)

    own = {fid: meters for fid, meters in feeders.items() if areas[fid] == "SHEPD"}
    _write_topology(base / "own", own)
    alone = run(sorted((base / "reads").iterdir()), base / "own", DAY, base / "alone")
    for level in ("lv_feeder", "secondary_substation"):
        for suffix in ("csv", "parquet"):
            a = (base / "out" / level / f"{DAY}.{suffix}").read_bytes()
            assert a == (base / "alone" / level / f"{DAY}.{suffix}").read_bytes(), (level, suffix)
    # there, the other area's reads were rejected (unmapped_meter, mostly)
    assert alone.rows_read == report.rows_read + report.rows_other_licence_area
    assert sum(alone.rejected.values()) == sum(report.rejected.values()) + (
        report.rows_other_licence_area
    )
    assert alone.rows_accepted == report.rows_accepted


def check_against_oracle(
    day,
    base: Path,
    ceiling: Decimal | None = None,
    slices: int | None = None,
    areas: dict[str, str] | None = None,
) -> QualityReport:
    """The run's report and published files equal the oracle's; P1, P2 and conservation hold.

    ``areas``: each feeder's licence area; the run publishes SHEPD's, and the
    oracle sees only the reads of SHEPD's source: all but those of the other
    area's meters (a row that cannot be read has no known meter: it is counted)
    """
    feeders, mapping, reads, seed = day
    _write_topology(base / "topology", feeders, areas)
    paths = _write_reads(base / "reads", reads, seed)
    ceiling = ceiling or Decimal(50_000)
    report = run(
        paths,
        base / "topology",
        DAY,
        base / "out",
        implausible_ceiling_wh=float(ceiling),
        slices=slices,
        licence_areas=("SHEPD",) if areas else None,
    )

    def other_area(r: Read) -> bool:
        return bool(areas) and not r.unreadable and areas.get(mapping.get(r.mpan, ""), "") == "SEPD"

    own = [r for r in reads if not other_area(r)]
    kept = {m: f for m, f in mapping.items() if not areas or areas[f] == "SHEPD"}
    expected = aggregate(own, kept, DAY, T, ceiling=ceiling)

    assert report.rejected == expected.rejected
    assert report.rows_accepted == expected.accepted
    assert report.rows_read == len(own)
    assert report.rows_other_licence_area == len(reads) - len(own)
    assert sum(i.rows or 0 for i in report.inputs) == len(reads)  # each file's rows, all
    assert report.meters == expected.meters
    if areas:
        assert report.licence_areas == {
            "areas": ["SHEPD"],
            "feeders": sum(a == "SHEPD" for a in areas.values()),
            "feeders_excluded": sum(a == "SEPD" for a in areas.values()),
            "meters_excluded": len(mapping) - len(kept),
        }
    else:
        assert report.licence_areas is None
    lv = _published(base / "out" / "lv_feeder" / f"{DAY}.csv", 12)
    subs = _published(base / "out" / "secondary_substation" / f"{DAY}.csv", 10)
    assert lv == expected.lv
    assert subs == expected.substation

    # energy conservation: every accepted Wh sits in exactly one feeder cell,
    # published cells show it rounded, suppressed cells hide it
    assert sum(expected.exact_a.values(), Decimal(0)) == expected.total_accepted_a
    published = suppressed = Decimal(0)
    for key, exact in expected.exact_a.items():
        if key in lv and lv[key][0] is not None:
            if lv[key][1] is not None:  # the split may be hidden, never a wrong value
                assert lv[key][1] == round(exact)  # Decimal round: half even
            published += exact
        else:
            suppressed += exact
    assert published + suppressed == expected.total_accepted_a

    # the public report: its published figures are the file's own counts, and
    # no total that includes suppressed rows survives beside suppressed cells
    public = public_view(report.to_dict())
    by_idx: dict[int, int] = defaultdict(int)
    for (_, idx), values in lv.items():
        by_idx[idx] += values[0] or 0
    assert public["rows_published"] == sum(by_idx.values())
    assert public["meters_published"] == max(by_idx.values(), default=0)
    hidden_a = any(lv.get(key, (None,))[0] is None for key in expected.exact_a)
    hidden_r = any(v[4] is None for v in lv.values()) and any(
        r.r is not None for r in reads if not r.unreadable
    )
    if hidden_a:
        assert public["withheld"] and public["rows_accepted"] is None
        assert public["meters"] is None and public["rows_read"] is None
        assert all(i.get("rows") is None for i in public["inputs"])
        assert public["topology"]["meters"] is None
    if public["rows_accepted"] is not None:
        assert not hidden_a  # accepted - published = rows behind no hidden cell
        assert public["rows_accepted"] == report.rows_accepted
    if not hidden_a and not hidden_r and not report.cells_suppressed_p1:
        assert public["meters"] == report.meters
        assert public["withheld"] == ([] if len(kept) == len(mapping) else list(OTHER_AREAS))
    # the other area's totals: that area's source withholds them on its days
    # with suppressed values, which this report cannot know
    if len(kept) < len(mapping):
        assert set(OTHER_AREAS) <= set(public["withheld"])
        assert public["rows_other_licence_area"] is None
        assert public["licence_areas"]["meters_excluded"] is None
        assert all(i.get("rows") is None for i in public["inputs"])
    else:
        assert public["rows_other_licence_area"] == 0

    # where the split is shown, total = primary + secondary (to the Wh)
    for values in [*lv.values(), *subs.values()]:
        if values[1] is not None:
            assert values[3] == values[1] + (values[2] or 0)

    # P1: nothing from fewer than T meters
    for values in [*lv.values(), *subs.values()]:
        assert values[0] is None or values[0] >= T
        assert values[4] is None or values[4] >= T

    # P2: substation minus published feeders never isolates 1..T-1 meters
    by_sub: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for (fid, idx), values in lv.items():
        by_sub[(fid[:10], idx)].append(values)
    for (sid, idx), sub in subs.items():
        for pos in (0, 4):
            if sub[pos] is None:
                continue
            shown = sum(v[pos] for v in by_sub[(sid, idx)] if v[pos] is not None)
            hidden = sub[pos] - shown
            assert hidden == 0 or hidden >= T

    # the second register: a published secondary (or primary, which gives it
    # away through the total) comes from no meter or from >= T meters, and
    # the substation's secondary minus the feeders' shown ones never isolates
    # 1..T-1 of them
    n_s = expected.second_register_meters
    sub_n_s: dict[tuple[str, int], int] = defaultdict(int)
    for (fid, idx), n in n_s.items():
        sub_n_s[(fid[:10], idx)] += n
    for (fid, idx), values in lv.items():
        if values[1] is not None:
            assert n_s[(fid, idx)] == 0 or n_s[(fid, idx)] >= T
    for (sid, idx), values in subs.items():
        if values[1] is None:
            continue
        assert sub_n_s[(sid, idx)] == 0 or sub_n_s[(sid, idx)] >= T
        hidden_s = sub_n_s[(sid, idx)] - sum(
            n_s[(fid, i)]
            for (fid, i), v in lv.items()
            if fid[:10] == sid and i == idx and v[1] is not None
        )
        assert hidden_s == 0 or hidden_s >= T
    return report


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(day=days(), other_seed=st.integers(0, 1000), slices=st.integers(2, 4))
def test_output_bytes_do_not_depend_on_file_split_order_threads_or_slices(
    day, other_seed, slices, tmp_path_factory
):
    feeders, _, reads, seed = day
    base = tmp_path_factory.mktemp("det")
    _write_topology(base / "topology", feeders)
    first = _write_reads(base / "r1", reads, seed)
    second = _write_reads(base / "r2", reads, other_seed)
    one = run(first, base / "topology", DAY, base / "o1", threads=1, slices=1)
    two = run(list(reversed(second)), base / "topology", DAY, base / "o2", threads=2, slices=slices)
    for level in ("lv_feeder", "secondary_substation"):
        for suffix in ("csv", "parquet"):
            a = (base / "o1" / level / f"{DAY}.{suffix}").read_bytes()
            b = (base / "o2" / level / f"{DAY}.{suffix}").read_bytes()
            assert a == b, (level, suffix)
    assert {k: v for k, v in one.to_dict().items() if k != "inputs"} == {
        k: v for k, v in two.to_dict().items() if k != "inputs"
    }
