"""A plain-Python reading of the data contract, row by row, used as the test oracle.

Deliberately naive and independent of the SQL: dictionaries and Decimals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

SENTINELS = {Decimal(16_777_215), Decimal(4_294_967_295)}


@dataclasses.dataclass(frozen=True)
class Read:
    mpan: str | None
    period_end: dt.datetime | None  # aware UTC
    #: a value is a number, missing, or text that is not a number (only a
    #: text file can hold that)
    a: Decimal | str | None
    s: Decimal | str | None = None
    r: Decimal | str | None = None

    @property
    def unreadable(self) -> bool:
        return any(isinstance(v, str) for v in (self.a, self.s, self.r))


@dataclasses.dataclass
class Expected:
    rejected: dict[str, int]
    accepted: int
    meters: int
    #: (dataset_id, idx) -> published tuple (count_a, primary, secondary, total, count_r, reactive)
    lv: dict[tuple[str, int], tuple]
    substation: dict[tuple[str, int], tuple]
    #: exact accepted sums per feeder cell, active
    exact_a: dict[tuple[str, int], Decimal]
    total_accepted_a: Decimal
    #: meters with a second-register read per feeder cell
    second_register_meters: dict[tuple[str, int], int]


def half_even(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _reason(read: Read, day: dt.date, mapping: dict[str, str], ceiling: Decimal) -> str | None:
    if read.unreadable:  # the reader cannot read the row: nothing else is looked at
        return "bad_value"
    mpan = read.mpan
    if mpan is None or len(mpan) != 13 or not (mpan.isascii() and mpan.isdigit()):
        return "bad_mpan"
    t = read.period_end
    if t is None or t.second or t.microsecond or t.minute not in (0, 30):
        return "bad_timestamp"
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    if not start < t <= start + dt.timedelta(days=1):
        return "outside_day"
    values = [v for v in (read.a, read.s, read.r) if v is not None]
    if any(v < 0 for v in values):
        return "negative_value"
    if any(v > ceiling or v in SENTINELS for v in values):
        return "implausible_value"
    if read.mpan not in mapping:
        return "unmapped_meter"
    return None


def aggregate(
    reads: list[Read],
    mapping: dict[str, str],
    day: dt.date,
    threshold: int = 5,
    ceiling: Decimal = Decimal(50_000),
) -> Expected:
    reasons = (
        "bad_mpan",
        "bad_timestamp",
        "ambiguous_local_time",
        "outside_day",
        "negative_value",
        "implausible_value",
        "unmapped_meter",
        "duplicate",
        "bad_value",
    )
    rejected = dict.fromkeys(reasons, 0)
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    by_key: dict[tuple[str, int], list[Read]] = defaultdict(list)
    for read in reads:
        reason = _reason(read, day, mapping, ceiling)
        if reason:
            rejected[reason] += 1
            continue
        idx = int((read.period_end - start) / dt.timedelta(minutes=30)) - 1
        by_key[(read.mpan, idx)].append(read)
    kept: dict[tuple[str, int], Read] = {}
    for key, copies in by_key.items():
        first = copies[0]
        same = all((c.a, c.s, c.r) == (first.a, first.s, first.r) for c in copies)
        if len(copies) > 1:
            rejected["duplicate"] += len(copies) - 1 if same else len(copies)
        if same:
            kept[key] = first
    # cells: key -> [n_a, sum_a, n_s, sum_s, n_r, sum_r]
    feeder: dict[tuple[str, int], list] = defaultdict(
        lambda: [0, Decimal(0), 0, Decimal(0), 0, Decimal(0)]
    )
    for (mpan, idx), read in kept.items():
        cell = feeder[(mapping[mpan], idx)]
        if read.a is not None:
            cell[0] += 1
            cell[1] += read.a
            if read.s is not None:
                cell[2] += 1
                cell[3] += read.s
        if read.r is not None:
            cell[4] += 1
            cell[5] += read.r
    substation: dict[tuple[str, int], list] = defaultdict(
        lambda: [0, Decimal(0), 0, Decimal(0), 0, Decimal(0)]
    )
    for (fid, idx), cell in feeder.items():
        sub = substation[(fid[:10], idx)]
        for i in range(6):
            sub[i] += cell[i]
    t = threshold
    p2 = {"a": set(), "r": set(), "s": set()}
    for (sid, idx), sub in substation.items():
        for measure, pos in (("a", 0), ("r", 4)):
            if sub[pos] < t:
                continue
            mine = [(c[pos], fid) for (fid, i), c in feeder.items() if fid[:10] == sid and i == idx]
            hidden = sum(n for n, _ in mine if 0 < n < t)
            if 0 < hidden < t:
                p2[measure].add((min((n, fid) for n, fid in mine if n >= t)[1], idx))

    def split_ok(cell: list) -> bool:
        # primary/secondary shown only with no or >= t second-register meters
        return cell[2] == 0 or cell[2] >= t

    def split_shown(fid: str, idx: int, cell: list) -> bool:
        return cell[0] >= t and (fid, idx) not in p2["a"] and split_ok(cell)

    for (sid, idx), sub in substation.items():
        if sub[0] < t or not split_ok(sub):
            continue
        mine = [(c, fid) for (fid, i), c in feeder.items() if fid[:10] == sid and i == idx]
        hidden = sum(c[2] for c, fid in mine if not split_shown(fid, idx, c))
        if 0 < hidden < t:
            shown = [(c[2], fid) for c, fid in mine if split_shown(fid, idx, c) and c[2] >= t]
            p2["s"].add((min(shown)[1], idx))

    def publish(cell: list, hide_a: bool, hide_r: bool, hide_s: bool) -> tuple:
        a_ok = cell[0] >= t and not hide_a
        r_ok = cell[4] >= t and not hide_r
        split = a_ok and split_ok(cell) and not hide_s
        return (
            cell[0] if a_ok else None,
            half_even(cell[1]) if split else None,
            half_even(cell[3]) if split and cell[2] else None,
            # total = primary + secondary where they are shown, else the total rounded once
            (half_even(cell[1]) + half_even(cell[3]) if split else half_even(cell[1] + cell[3]))
            if a_ok
            else None,
            cell[4] if r_ok else None,
            half_even(cell[5]) if r_ok else None,
        )

    lv = {k: publish(c, k in p2["a"], k in p2["r"], k in p2["s"]) for k, c in feeder.items()}
    subs = {k: publish(c, False, False, False) for k, c in substation.items()}
    return Expected(
        rejected=rejected,
        accepted=len(kept),
        meters=len({m for m, _ in kept}),
        lv={k: v for k, v in lv.items() if any(x is not None for x in v)},
        substation={k: v for k, v in subs.items() if any(x is not None for x in v)},
        exact_a={k: c[1] for k, c in feeder.items() if c[0]},
        second_register_meters={k: c[2] for k, c in feeder.items()},
        total_accepted_a=sum((r.a for r in kept.values() if r.a is not None), Decimal(0)),
    )
