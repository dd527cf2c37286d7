"""The aggregation as plain SQL (DuckDB dialect, kept to portable constructs).

Stages, each a statement a distributed engine could run as well:

1. ``classify``: every input row gets the first failing rejection reason (or
   none), its meter group and bit, and its half-hour index.
2. ``first_pass``: one scan, one hash aggregate keyed by (meter group,
   half-hour, reason, file). A meter group is up to 64 meters of one feeder;
   besides counts and exact integer sums it ORs one bit per meter, so a group
   whose row count differs from its bit count holds duplicates. Rows per file
   and reason come from the same aggregate.
3. ``duplicates``: only for the (rare) groups with duplicates, a second look at
   their meters' rows per half-hour, giving corrections for the cells.
4. ``privacy``: feeder and substation cells, P1 and P2 flags.
"""

from __future__ import annotations

import datetime as dt

from .config import REASONS, SENTINELS, AggregateConfig
from .localtime import epoch_us

#: meters per group: one bit each in a UBIGINT
GROUP_BITS = 64
#: a meter group's id: ``feeder_idx << FEEDER_SHIFT | group within the feeder``
FEEDER_SHIFT = 16
#: the group of the meters on feeders of licence areas not aggregated: a
#: group number within feeder 0 that no feeder reaches (``topology.load``
#: refuses a feeder of that many meters). Their meters have no ``meter_idx``,
#: so their rows are never accepted; their first-pass cells are told apart
#: from rejected ones by this group, without a rejection reason (3 bits, all
#: taken).
OTHER_AREA_GROUP = (1 << FEEDER_SHIFT) - 1
#: the aggregate key packs (group, half-hour, reason, file) into one BIGINT
FILE_BITS = 12
MAX_FILES = 1 << FILE_BITS
_REASON_SHIFT = FILE_BITS
_IDX_SHIFT = FILE_BITS + 3
_GRP_SHIFT = FILE_BITS + 3 + 6
_ACCEPTED = 7
#: per-row presence of a, s, r packed in one sum (21 bits each)
_COUNT_BITS = 21
HALF_HOUR_US = 1_800_000_000

#: values are summed exactly as integers of 1 mWh; x is such a sum (>= 0)
ROUND_HALF_EVEN_MACRO = """
CREATE OR REPLACE TEMP MACRO round_half_even(x) AS (
    CAST(CASE
        WHEN CAST(x AS BIGINT) % 1000 > 500 THEN CAST(x AS BIGINT) // 1000 + 1
        WHEN CAST(x AS BIGINT) % 1000 < 500 THEN CAST(x AS BIGINT) // 1000
        ELSE CAST(x AS BIGINT) // 1000 + (CAST(x AS BIGINT) // 1000) % 2
    END AS BIGINT)
)
"""
MILLI = 1000


def all_digits(column: str, digits: int) -> str:
    """True when ``column`` is exactly ``digits`` ASCII digits (never NULL).

    Used on the topology and on reads that found no meter (``classify``).
    ``GLOB`` was measured much faster than RE2's ``regexp_full_match`` when it
    still ran on every read (about 4 s over a full Parquet day).
    """
    return f"coalesce({column} GLOB '{'[0-9]' * digits}', FALSE)"


def day_bounds(day: dt.date) -> tuple[int, int]:
    """Start and end of the UTC day in epoch microseconds."""
    start = dt.datetime(day.year, day.month, day.day)
    return epoch_us(start), epoch_us(start + dt.timedelta(days=1))


def slice_of(part: int, parts: int) -> str:
    """Rows of slice ``part`` of ``parts``: the meters of every ``parts``-th feeder.

    A meter group never spans two slices (its feeder is ``grp >> FEEDER_SHIFT``),
    so the slices' first-pass groups are disjoint; rows of no known meter
    belong to slice 0. Every row is in exactly one slice.
    """
    unmapped = " OR m.grp IS NULL" if part == 0 else ""
    return f"((m.grp >> {FEEDER_SHIFT}) % {int(parts)} = {int(part)}{unmapped})"


def classify(
    sources: list[str],
    day: dt.date,
    config: AggregateConfig,
    only_groups: str = "",
    part: tuple[int, int] = (0, 1),
) -> str:
    """Rows with ``reason`` (index into REASONS; NULL when accepted so far) and keys.

    Values become integers of 1 mWh (``a``, ``s``, ``r``) so sums are exact and
    independent of order. Keys and values are left as they are on rejected
    rows: aggregates filter on ``reason IS NULL`` (cheaper than CASE per column).
    ``part`` (slice, slices) keeps one slice of the rows (see ``slice_of``).

    Rows join the meters on the MPAN text: the topology's MPANs are 13 digits
    (``topology.load`` checks them), so only the rows that find no meter need
    the digit check that tells ``bad_mpan`` from ``unmapped_meter``.
    """
    start, end = day_bounds(day)
    ceiling = repr(float(config.implausible_ceiling_wh))
    sentinels = ", ".join(str(v) for v in SENTINELS)

    def any_of(test: str) -> str:
        return " OR ".join(test.format("src." + c) for c in ("a", "s", "r"))

    union = "\nUNION ALL\n".join(sources)
    # the common case first: a row passing every check in one conjunction
    # (NULLs fall through to the full CASE, which names the first failure)
    low_sentinels = [v for v in SENTINELS if v <= config.implausible_ceiling_wh]
    no_sentinel = (
        f" AND NOT ({any_of('{0} IN (' + ', '.join(map(str, low_sentinels)) + ')')})"
        if low_sentinels
        else ""
    )
    passes = (
        f"src.ts > {start} AND src.ts <= {end} AND src.ts % {HALF_HOUR_US} = 0"
        f" AND NOT src.local_bad AND least(src.a, src.s, src.r) >= 0"
        f" AND greatest(src.a, src.s, src.r) <= {ceiling}{no_sentinel}"
        " AND m.meter_idx IS NOT NULL"
    )
    reason = f"""CASE WHEN {passes} THEN NULL ELSE CASE
            WHEN m.meter_idx IS NULL AND NOT {all_digits("src.mpan", 13)} THEN 0
            WHEN src.ts IS NULL OR src.ts % {HALF_HOUR_US} <> 0 THEN 1
            WHEN src.local_bad THEN 2
            WHEN src.ts <= {start} OR src.ts > {end} THEN 3
            WHEN {any_of("{0} < 0")} THEN 4
            WHEN {any_of("{0} > " + ceiling)} OR {any_of("{0} IN (" + sentinels + ")")} THEN 5
            WHEN m.meter_idx IS NULL THEN 6
        END END"""
    conditions = [f"m.grp IN ({only_groups})"] if only_groups else []
    if part[1] > 1:
        conditions.append(slice_of(*part))
    restrict = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"""
    SELECT file_idx, meter_idx, grp, bit, idx, reason, a, s, r, raw_a, raw_s, raw_r,
           (coalesce(grp, 0) << {_GRP_SHIFT}) | ((coalesce(idx, 0) & 63) << {_IDX_SHIFT})
           | (coalesce(reason, {_ACCEPTED}) << {_REASON_SHIFT}) | file_idx AS cell_key
    FROM (SELECT src.file_idx, m.meter_idx, m.grp, m.bit,
           (src.ts - {start}) // {HALF_HOUR_US} - 1 AS idx,
           TRY_CAST(src.a * {MILLI} AS BIGINT) AS a,
           TRY_CAST(src.s * {MILLI} AS BIGINT) + 0 * TRY_CAST(src.a AS BIGINT) AS s,
           TRY_CAST(src.r * {MILLI} AS BIGINT) AS r,
           src.a AS raw_a, src.s AS raw_s, src.r AS raw_r,
           {reason} AS reason
    FROM (
        SELECT file_idx, mpan, ts, local_bad, a, s, r
        FROM ({union})
    ) src
    LEFT JOIN meters m ON m.mpan = src.mpan
    {restrict}) src
    """


#: packed first pass: presence counts (7 bits each, <= 64 rows of a group
#: without duplicates) in the low bits of ``lo``, then the exact mWh sums
_PRESENT_BITS = 7


def packed_field_bits(config: AggregateConfig) -> int | None:
    """Bits of one packed sum field (64 rows at the ceiling), or None if they do not fit.

    Accepted values are in [0, ceiling] Wh, so a group without duplicates sums
    to at most ``64 * ceiling * 1000`` mWh per measure.
    """
    per_row = int(config.implausible_ceiling_wh * MILLI) + 2
    bits = (GROUP_BITS * per_row).bit_length()
    # a row's ``hi`` (s + r << bits) must fit a BIGINT: r < 2^(bits - 6)
    if 2 * bits - 6 > 62:
        return None
    return bits


def first_pass(classified: str, field_bits: int | None = None, append: bool = False) -> str:
    """The single-scan aggregate into temp table ``agg_packed`` (``append``: add a
    slice's groups to it), then the view ``agg`` on it.

    Slices (``classify``'s ``part``) have disjoint groups, so appending them
    gives the table a single scan would.

    ``reason`` is part of the key, so accepted rows (``reason IS NULL``) are
    never mixed with rejected ones; the values of rejected groups are not
    used (only their row count ``n``).

    With ``field_bits`` (the fast path) the presence counts and the three sums
    of an accepted row are packed into two BIGINTs (``lo``: counts and active,
    ``hi``: secondary and reactive) and summed (exactly, into 128 bits): a
    group without duplicates has at most 64 rows, so no field overflows into
    the next. Groups with duplicates (``n <> bit_count(mask)``) get garbage in the
    packed fields; their cells are recomputed from ``dup_cells`` (see
    ``FEEDER_CELLS``). Without ``field_bits``: one 64-bit sum per column
    (``sum_no_overflow``: exact for every cell that is used; it can only wrap
    in groups with duplicates or of rejected rows, whose sums are not used).

    The mask is UBIGINT << UBIGINT: with a signed ``bit`` the common type
    would be HUGEINT, doubling the mask's per-group state.
    """
    if field_bits is None:
        low = (1 << _COUNT_BITS) - 1
        present = (
            f"CAST(a IS NOT NULL AS BIGINT) | (CAST(s IS NOT NULL AS BIGINT) << {_COUNT_BITS}) "
            f"| (CAST(r IS NOT NULL AS BIGINT) << {2 * _COUNT_BITS})"
        )
        sums = (
            f"sum_no_overflow({present}) AS counts, sum_no_overflow(a) AS sum_a, "
            "sum_no_overflow(s) AS sum_s, sum_no_overflow(r) AS sum_r"
        )
        fields = (
            f"counts & {low} AS n_a, sum_a, (counts >> {_COUNT_BITS}) & {low} AS n_s, sum_s, "
            f"(counts >> {2 * _COUNT_BITS}) & {low} AS n_r, sum_r"
        )
    else:
        p, w = _PRESENT_BITS, field_bits
        # accepted values are in [0, ceiling]: the plain CAST equals classify's
        # TRY_CAST there, and CASE evaluates it on accepted rows only
        a = f"CAST(raw_a * {MILLI} AS BIGINT)"
        s = f"(CAST(raw_s * {MILLI} AS BIGINT) + 0 * CAST(raw_a AS BIGINT))"
        r = f"CAST(raw_r * {MILLI} AS BIGINT)"
        lo = (
            "CASE WHEN reason IS NULL THEN "
            f"CAST(raw_a IS NOT NULL AS BIGINT) "
            f"+ (CAST(raw_s IS NOT NULL AND raw_a IS NOT NULL AS BIGINT) << {p}) "
            f"+ (CAST(raw_r IS NOT NULL AS BIGINT) << {2 * p}) "
            f"+ (coalesce({a}, 0) << {3 * p}) ELSE 0 END"
        )
        hi = (
            f"CASE WHEN reason IS NULL THEN coalesce({s}, 0) + (coalesce({r}, 0) << {w}) ELSE 0 END"
        )

        def field(column: str, shift: int, bits: int) -> str:
            return f"CAST(({column} >> {shift}) & {(1 << bits) - 1} AS BIGINT)"

        sums = f"sum({lo}) AS lo, sum({hi}) AS hi"
        fields = (
            f"{field('lo', 0, p)} AS n_a, {field('lo', 3 * p, w)} AS sum_a, "
            f"{field('lo', p, p)} AS n_s, {field('hi', 0, w)} AS sum_s, "
            f"{field('lo', 2 * p, p)} AS n_r, {field('hi', w, w)} AS sum_r"
        )
    target = "INSERT INTO agg_packed" if append else "CREATE OR REPLACE TEMP TABLE agg_packed AS"
    return f"""
    {target}
    SELECT cell_key, count(*) AS n,
           bit_or(CAST(1 AS UBIGINT) << CAST(bit AS UBIGINT)) AS mask,
           {sums}
    FROM ({classified})
    GROUP BY cell_key;
    CREATE OR REPLACE TEMP VIEW agg AS
    SELECT cell_key >> {_GRP_SHIFT} AS grp,
           (cell_key >> {_IDX_SHIFT}) & 63 AS idx,
           NULLIF((cell_key >> {_REASON_SHIFT}) & 7, {_ACCEPTED}) AS reason,
           cell_key & {MAX_FILES - 1} AS file_idx,
           n, mask, {fields}
    FROM agg_packed
    """


# accepted rows per (meter group, half-hour) over all files; dup = row count > meters
GROUP_CELLS = """
CREATE OR REPLACE TEMP TABLE group_cells AS
SELECT grp, idx, sum(n) AS n, bit_or(mask) AS mask,
       sum(n_a) AS n_a, sum(sum_a) AS sum_a, sum(n_s) AS n_s, sum(sum_s) AS sum_s,
       sum(n_r) AS n_r, sum(sum_r) AS sum_r,
       sum(n) <> bit_count(bit_or(mask)) AS has_dup
FROM agg WHERE reason IS NULL AND n > 0
GROUP BY grp, idx
"""

# one input file: ``agg`` has one accepted row per (meter group, half-hour) already
GROUP_CELLS_ONE_FILE = """
CREATE OR REPLACE TEMP TABLE group_cells AS
SELECT grp, idx, n, mask, n_a, sum_a, n_s, sum_s, n_r, sum_r,
       n <> bit_count(mask) AS has_dup
FROM agg WHERE reason IS NULL AND n > 0
"""

DUP_GROUPS = "SELECT DISTINCT grp FROM group_cells WHERE has_dup"


def duplicates(classified: str) -> str:
    """Per (meter, half-hour) of the groups with duplicates: copies, and are they identical."""

    def same(col: str) -> str:
        return f"(count({col}) = 0 OR (count({col}) = count(*) AND min({col}) = max({col})))"

    return f"""
    CREATE OR REPLACE TEMP TABLE dup_cells AS
    SELECT meter_idx, grp, idx, count(*) AS n,
           {same("a")} AND {same("s")} AND {same("r")} AS identical,
           count(a) AS n_a, sum(a) AS sum_a, min(a) AS one_a,
           count(s) AS n_s, sum(s) AS sum_s, min(s) AS one_s,
           count(r) AS n_r, sum(r) AS sum_r, min(r) AS one_r
    FROM ({classified})
    WHERE reason IS NULL
    GROUP BY meter_idx, grp, idx
    """


NO_DUPLICATES = """
CREATE OR REPLACE TEMP TABLE dup_cells (
    meter_idx BIGINT, grp BIGINT, idx BIGINT, n BIGINT, identical BOOLEAN,
    n_a BIGINT, sum_a HUGEINT, one_a BIGINT, n_s BIGINT, sum_s HUGEINT, one_s BIGINT,
    n_r BIGINT, sum_r HUGEINT, one_r BIGINT
)
"""


# feeder cells after removing duplicate copies (identical: keep one; else none).
# Cells of groups with duplicates are recomputed from ``dup_cells`` (all the
# accepted rows of those groups, per meter), not corrected: their packed
# first-pass fields may have overflowed (see ``first_pass``).
FEEDER_CELLS = """
CREATE OR REPLACE TEMP TABLE feeder_cells AS
WITH redo AS (
    SELECT grp, idx,
           sum(CASE WHEN n = 1 OR identical THEN 1 ELSE 0 END) AS n,
           sum(CASE WHEN (n = 1 OR identical) AND n_a > 0 THEN 1 ELSE 0 END) AS n_a,
           sum(CASE WHEN n = 1 THEN coalesce(sum_a, 0) WHEN identical THEN coalesce(one_a, 0)
               ELSE 0 END) AS sum_a,
           sum(CASE WHEN (n = 1 OR identical) AND n_s > 0 THEN 1 ELSE 0 END) AS n_s,
           sum(CASE WHEN n = 1 THEN coalesce(sum_s, 0) WHEN identical THEN coalesce(one_s, 0)
               ELSE 0 END) AS sum_s,
           sum(CASE WHEN (n = 1 OR identical) AND n_r > 0 THEN 1 ELSE 0 END) AS n_r,
           sum(CASE WHEN n = 1 THEN coalesce(sum_r, 0) WHEN identical THEN coalesce(one_r, 0)
               ELSE 0 END) AS sum_r
    FROM dup_cells GROUP BY grp, idx
),
fixed AS (
    SELECT g.feeder_idx, g.substation_idx, g.alone, c.idx,
           CASE WHEN x.grp IS NULL THEN c.n ELSE x.n END AS n,
           CASE WHEN x.grp IS NULL THEN c.n_a ELSE x.n_a END AS n_a,
           CASE WHEN x.grp IS NULL THEN coalesce(c.sum_a, 0) ELSE x.sum_a END AS sum_a,
           CASE WHEN x.grp IS NULL THEN c.n_s ELSE x.n_s END AS n_s,
           CASE WHEN x.grp IS NULL THEN coalesce(c.sum_s, 0) ELSE x.sum_s END AS sum_s,
           CASE WHEN x.grp IS NULL THEN c.n_r ELSE x.n_r END AS n_r,
           CASE WHEN x.grp IS NULL THEN coalesce(c.sum_r, 0) ELSE x.sum_r END AS sum_r
    FROM group_cells c
    JOIN meter_groups g ON g.grp = c.grp
    LEFT JOIN redo x ON x.grp = c.grp AND x.idx = c.idx
)
-- a feeder of one meter group (most feeders: up to 64 meters) is its group:
-- no second aggregate for those rows
SELECT feeder_idx, substation_idx, CAST(idx AS INTEGER) AS idx, CAST(n AS BIGINT) AS n,
       CAST(n_a AS BIGINT) AS n_a, CAST(CASE WHEN n_a > 0 THEN sum_a END AS BIGINT) AS sum_a,
       CAST(n_s AS BIGINT) AS n_s, CAST(CASE WHEN n_s > 0 THEN sum_s END AS BIGINT) AS sum_s,
       CAST(n_r AS BIGINT) AS n_r, CAST(CASE WHEN n_r > 0 THEN sum_r END AS BIGINT) AS sum_r
FROM fixed WHERE alone AND n > 0
UNION ALL
SELECT feeder_idx, substation_idx, CAST(idx AS INTEGER), CAST(sum(n) AS BIGINT),
       CAST(sum(n_a) AS BIGINT), CAST(CASE WHEN sum(n_a) > 0 THEN sum(sum_a) END AS BIGINT),
       CAST(sum(n_s) AS BIGINT), CAST(CASE WHEN sum(n_s) > 0 THEN sum(sum_s) END AS BIGINT),
       CAST(sum(n_r) AS BIGINT), CAST(CASE WHEN sum(n_r) > 0 THEN sum(sum_r) END AS BIGINT)
FROM fixed WHERE NOT alone
GROUP BY feeder_idx, substation_idx, idx
HAVING sum(n) > 0
"""


#: (count, index) packed in one BIGINT, so ``min`` picks the smallest count, then index
_IDX_SPAN = 1 << 32


def big(expr: str) -> str:
    """``expr`` (a sum) as BIGINT: DuckDB sums BIGINTs into HUGEINT, twice as wide
    to hash, join and compare. Counts and mWh sums of a cell fit (the ceiling
    is bounded, see ``config.MAX_CEILING_WH``); a value that did not would
    raise, never wrap."""
    return f"CAST({expr} AS BIGINT)"


def substation_cells(threshold: int) -> str:
    """Substation cells, and per measure what P2 needs from their feeders.

    ``hidden_*``: meters of the feeders P1 suppresses (1..threshold-1 meters);
    ``smallest_*``: the published feeder with the fewest meters (ties: lowest
    ``dataset_id`` = lowest ``feeder_idx``).
    """
    t = int(threshold)

    def p2_inputs(m: str) -> str:
        return f"""
       {big(f"sum(CASE WHEN n_{m} BETWEEN 1 AND {t - 1} THEN n_{m} ELSE 0 END)")} AS hidden_{m},
       CAST(min(n_{m} * {_IDX_SPAN} + feeder_idx) FILTER (WHERE n_{m} >= {t}) % {_IDX_SPAN}
            AS INTEGER) AS smallest_{m}"""

    return f"""
    CREATE OR REPLACE TEMP TABLE substation_cells AS
    SELECT substation_idx, idx, {big("sum(n)")} AS n,
           {big("sum(n_a)")} AS n_a, {big("CASE WHEN sum(n_a) > 0 THEN sum(sum_a) END")} AS sum_a,
           {big("sum(n_s)")} AS n_s, {big("CASE WHEN sum(n_s) > 0 THEN sum(sum_s) END")} AS sum_s,
           {big("sum(n_r)")} AS n_r, {big("CASE WHEN sum(n_r) > 0 THEN sum(sum_r) END")} AS sum_r,
           {p2_inputs("a")}, {p2_inputs("r")}
    FROM feeder_cells GROUP BY substation_idx, idx
    """


def split_shown(cell: str, threshold: int, after_p2: bool) -> str:
    """True where a published active value shows primary and secondary.

    Only where the second register is from no meter or from at least
    ``threshold`` meters (otherwise primary = total - secondary would give the
    secondary away); the total is shown either way. ``after_p2``: ``cell``
    has the LV flags and an active value hidden by P2 is not published.
    """
    t = int(threshold)
    published = f"{cell}.n_a >= {t}" + (f" AND NOT {cell}.p2_a" if after_p2 else "")
    return f"({published} AND ({cell}.n_s = 0 OR {cell}.n_s >= {t}))"


def privacy(threshold: int) -> str:
    """Feeder cells with their flags, temp table ``feeder_flags``: ``p1_a``/``p2_a``
    (active), ``p1_r``/``p2_r`` (reactive) and ``p1_s``/``p2_s`` (the
    primary/secondary split).

    P2: in a substation half-hour whose value is published, if the meters of the
    P1-suppressed feeders number 1..threshold-1, the published feeder with the
    fewest meters (ties: lowest ``dataset_id`` = lowest ``feeder_idx``) is
    suppressed too; one is enough as it alone has >= threshold meters.

    The split: a published active value shows primary and secondary only if
    no meter or at least ``threshold`` meters have a second register
    (otherwise only the total: primary = total - secondary would give the
    secondary away). P2 applies to the split on the same terms, with the
    second-register meters of every feeder whose split is hidden.
    """
    t = int(threshold)

    def p2(m: str) -> str:
        return (
            f"coalesce(s.n_{m} >= {t} AND s.hidden_{m} BETWEEN 1 AND {t - 1} "
            f"AND s.smallest_{m} = c.feeder_idx, FALSE) AS p2_{m}"
        )

    shown = split_shown("b", t, after_p2=True)
    return f"""
    CREATE OR REPLACE TEMP TABLE feeder_flags AS
    WITH base AS (
        SELECT c.*,
               c.n_a BETWEEN 1 AND {t - 1} AS p1_a, {p2("a")},
               c.n_r BETWEEN 1 AND {t - 1} AS p1_r, {p2("r")}
        FROM feeder_cells c
        JOIN substation_cells s ON s.substation_idx = c.substation_idx AND s.idx = c.idx
    ),
    split AS (
        SELECT b.substation_idx, b.idx,
               {big(f"sum(CASE WHEN NOT {shown} THEN b.n_s ELSE 0 END)")} AS hidden,
               CAST(min(b.n_s * {_IDX_SPAN} + b.feeder_idx)
                   FILTER (WHERE {shown} AND b.n_s >= {t}) % {_IDX_SPAN} AS INTEGER)
                   AS smallest
        FROM base b GROUP BY b.substation_idx, b.idx
    )
    SELECT b.*,
           b.n_a >= {t} AND NOT b.p2_a AND b.n_s BETWEEN 1 AND {t - 1} AS p1_s,
           coalesce(rs.p2, FALSE) AS p2_s
    FROM base b
    LEFT JOIN (
        SELECT x.smallest AS feeder_idx, x.idx, TRUE AS p2
        FROM split x JOIN substation_cells s
            ON s.substation_idx = x.substation_idx AND s.idx = x.idx
        WHERE {split_shown("s", t, after_p2=False)} AND x.hidden BETWEEN 1 AND {t - 1}
    ) rs ON rs.feeder_idx = b.feeder_idx AND rs.idx = b.idx
    """


def reason_name_case(column: str = "reason") -> str:
    return (
        "CASE "
        + " ".join(f"WHEN {column} = {i} THEN '{r}'" for i, r in enumerate(REASONS))
        + " END"
    )
