"""The aggregation as plain SQL (DuckDB dialect, kept to portable constructs).

Stages, each a statement a distributed engine could run as well:

1. ``classify``: every input row gets the first failing rejection reason (or
   none) and, when accepted, its meter, feeder and half-hour index.
2. ``first_pass``: one scan, one ``GROUPING SETS`` aggregate: rows per file and
   reason; rows and a 48-bit half-hour mask per meter (a meter whose row count
   differs from its mask's popcount has duplicates); counts and exact decimal
   sums per feeder and half-hour.
3. ``duplicates``: only for the (rare) meters with duplicates, a second look at
   their rows per half-hour, giving corrections for the feeder cells.
4. ``privacy``: substation cells from feeder cells, P1 and P2 flags.
"""
from __future__ import annotations

import datetime as dt

from .config import REASONS, SENTINELS, AggregateConfig

#: bucket of the ``GROUPING(file_idx, reason, meter_idx, feeder_idx, idx)`` bitmask
GS_FILE_REASON = 0b00111
GS_METER = 0b11011
GS_CELL = 0b11100
HALF_HOUR_US = 1_800_000_000

ROUND_HALF_EVEN_MACRO = """
CREATE OR REPLACE TEMP MACRO round_half_even(x) AS (
    CASE
        WHEN x - floor(x) > 0.5 THEN CAST(floor(x) AS BIGINT) + 1
        WHEN x - floor(x) < 0.5 THEN CAST(floor(x) AS BIGINT)
        WHEN CAST(floor(x) AS BIGINT) % 2 = 0 THEN CAST(floor(x) AS BIGINT)
        ELSE CAST(floor(x) AS BIGINT) + 1
    END
)
"""


def day_bounds(day: dt.date) -> tuple[str, str]:
    start = dt.datetime(day.year, day.month, day.day)
    return (
        f"TIMESTAMP '{start.isoformat(sep=' ')}'",
        f"TIMESTAMP '{(start + dt.timedelta(days=1)).isoformat(sep=' ')}'",
    )


def classify(sources: list[str], day: dt.date, config: AggregateConfig, only_meters: str = "") -> str:
    """Rows with ``reason`` (index into REASONS, NULL if accepted so far) and keys."""
    start, end = day_bounds(day)
    ceiling = repr(float(config.implausible_ceiling_wh))
    sentinels = ", ".join(str(v) for v in SENTINELS)

    def any_of(test: str) -> str:
        return " OR ".join(test.format("src." + c) for c in ("a", "s", "r"))

    union = "\nUNION ALL\n".join(sources)
    reason = f"""CASE
            WHEN src.mpan_int IS NULL THEN 0
            WHEN src.ts IS NULL OR epoch_us(src.ts) % {HALF_HOUR_US} <> 0 THEN 1
            WHEN src.local_bad THEN 2
            WHEN src.ts <= {start} OR src.ts > {end} THEN 3
            WHEN {any_of("{0} < 0")} THEN 4
            WHEN {any_of("{0} > " + ceiling)} OR {any_of("{0} IN (" + sentinels + ")")} THEN 5
            WHEN m.meter_idx IS NULL THEN 6
        END"""
    restrict = f"WHERE m.meter_idx IN ({only_meters})" if only_meters else ""
    return f"""
    SELECT file_idx, reason,
           CASE WHEN reason IS NULL THEN meter_idx END AS meter_idx,
           CASE WHEN reason IS NULL THEN feeder_idx END AS feeder_idx,
           CASE WHEN reason IS NULL THEN idx END AS idx,
           CASE WHEN reason IS NULL THEN CAST(a AS DECIMAL(18, 3)) END AS a,
           CASE WHEN reason IS NULL AND a IS NOT NULL THEN CAST(s AS DECIMAL(18, 3)) END AS s,
           CASE WHEN reason IS NULL THEN CAST(r AS DECIMAL(18, 3)) END AS r
    FROM (
        SELECT src.file_idx, m.meter_idx, m.feeder_idx, src.a, src.s, src.r,
               CAST((epoch_us(src.ts) - epoch_us({start})) // {HALF_HOUR_US} - 1 AS INTEGER) AS idx,
               {reason} AS reason
        FROM (
            SELECT file_idx,
                   CASE WHEN regexp_full_match(mpan, '[0-9]{{13}}')
                        THEN CAST(mpan AS BIGINT) END AS mpan_int,
                   ts, local_bad, a, s, r
            FROM ({union})
        ) src
        LEFT JOIN meters m ON m.mpan_int = src.mpan_int
        {restrict}
    )
    """


def first_pass(classified: str) -> str:
    """The single-scan aggregate into temp table ``agg``."""
    return f"""
    CREATE OR REPLACE TEMP TABLE agg AS
    SELECT GROUPING(file_idx, reason, meter_idx, feeder_idx, idx) AS gs,
           file_idx, reason, meter_idx, feeder_idx, idx,
           count(*) AS n,
           bit_or(CAST(1 AS UBIGINT) << idx) AS mask,
           count(a) AS n_a, sum(a) AS sum_a,
           count(s) AS n_s, sum(s) AS sum_s,
           count(r) AS n_r, sum(r) AS sum_r
    FROM ({classified})
    GROUP BY GROUPING SETS ((file_idx, reason), (meter_idx), (feeder_idx, idx))
    """


DUP_METERS = f"""
CREATE OR REPLACE TEMP TABLE dup_meters AS
SELECT meter_idx FROM agg
WHERE gs = {GS_METER} AND meter_idx IS NOT NULL AND n <> bit_count(mask)
"""


def duplicates(classified: str) -> str:
    """Per duplicated (meter, half-hour): copies, and whether they are identical."""
    def same(col: str) -> str:
        return f"(count({col}) = 0 OR (count({col}) = count(*) AND min({col}) = max({col})))"

    return f"""
    CREATE OR REPLACE TEMP TABLE dup_cells AS
    SELECT meter_idx, feeder_idx, idx, count(*) AS n,
           {same("a")} AND {same("s")} AND {same("r")} AS identical,
           count(a) AS n_a, sum(a) AS sum_a, min(a) AS one_a,
           count(s) AS n_s, sum(s) AS sum_s, min(s) AS one_s,
           count(r) AS n_r, sum(r) AS sum_r, min(r) AS one_r
    FROM ({classified})
    WHERE reason IS NULL
    GROUP BY meter_idx, feeder_idx, idx
    HAVING count(*) > 1
    """


# feeder cells after removing duplicate copies (identical: keep one; else none)
FEEDER_CELLS = f"""
CREATE OR REPLACE TEMP TABLE feeder_cells AS
WITH fix AS (
    SELECT feeder_idx, idx,
           sum(n - CASE WHEN identical THEN 1 ELSE 0 END) AS n,
           sum(n_a - CASE WHEN identical AND n_a > 0 THEN 1 ELSE 0 END) AS n_a,
           sum(sum_a - CASE WHEN identical THEN coalesce(one_a, 0) ELSE 0 END) AS sum_a,
           sum(n_s - CASE WHEN identical AND n_s > 0 THEN 1 ELSE 0 END) AS n_s,
           sum(coalesce(sum_s, 0) - CASE WHEN identical THEN coalesce(one_s, 0) ELSE 0 END) AS sum_s,
           sum(n_r - CASE WHEN identical AND n_r > 0 THEN 1 ELSE 0 END) AS n_r,
           sum(coalesce(sum_r, 0) - CASE WHEN identical THEN coalesce(one_r, 0) ELSE 0 END) AS sum_r
    FROM dup_cells GROUP BY feeder_idx, idx
)
SELECT c.feeder_idx, f.substation_idx, c.idx,
       c.n - coalesce(x.n, 0) AS n,
       c.n_a - coalesce(x.n_a, 0) AS n_a,
       CASE WHEN c.n_a - coalesce(x.n_a, 0) > 0
            THEN coalesce(c.sum_a, 0) - coalesce(x.sum_a, 0) END AS sum_a,
       c.n_s - coalesce(x.n_s, 0) AS n_s,
       CASE WHEN c.n_s - coalesce(x.n_s, 0) > 0
            THEN coalesce(c.sum_s, 0) - coalesce(x.sum_s, 0) END AS sum_s,
       c.n_r - coalesce(x.n_r, 0) AS n_r,
       CASE WHEN c.n_r - coalesce(x.n_r, 0) > 0
            THEN coalesce(c.sum_r, 0) - coalesce(x.sum_r, 0) END AS sum_r
FROM agg c
JOIN feeders f ON f.feeder_idx = c.feeder_idx
LEFT JOIN fix x ON x.feeder_idx = c.feeder_idx AND x.idx = c.idx
WHERE c.gs = {GS_CELL} AND c.feeder_idx IS NOT NULL
  AND c.n - coalesce(x.n, 0) > 0
"""

SUBSTATION_CELLS = """
CREATE OR REPLACE TEMP TABLE substation_cells AS
SELECT substation_idx, idx, sum(n) AS n,
       sum(n_a) AS n_a, sum(sum_a) AS sum_a, sum(n_s) AS n_s, sum(sum_s) AS sum_s,
       sum(n_r) AS n_r, sum(sum_r) AS sum_r
FROM feeder_cells GROUP BY substation_idx, idx
"""


def privacy(threshold: int) -> str:
    """Flags per feeder cell: ``p1_a``/``p2_a`` (active), ``p1_r``/``p2_r`` (reactive).

    P2: in a substation half-hour whose value is published, if the meters of the
    P1-suppressed feeders number 1..threshold-1, the published feeder with the
    fewest meters (ties: lowest ``dataset_id`` = lowest ``feeder_idx``) is
    suppressed too; one is enough as it alone has >= threshold meters.
    """
    t = int(threshold)

    def measure(m: str) -> str:
        return f"""
        {m} AS (
            SELECT c.substation_idx, c.idx,
                   sum(CASE WHEN c.n_{m} BETWEEN 1 AND {t - 1} THEN c.n_{m} ELSE 0 END) AS hidden,
                   arg_min(c.feeder_idx, c.n_{m} * 4294967296 + c.feeder_idx)
                       FILTER (WHERE c.n_{m} >= {t}) AS smallest
            FROM feeder_cells c GROUP BY c.substation_idx, c.idx
        )"""

    return f"""
    CREATE OR REPLACE TEMP TABLE feeder_flags AS
    WITH {measure("a")}, {measure("r")}
    SELECT c.feeder_idx, c.idx,
           c.n_a BETWEEN 1 AND {t - 1} AS p1_a,
           coalesce(ra.p2, FALSE) AS p2_a,
           c.n_r BETWEEN 1 AND {t - 1} AS p1_r,
           coalesce(rr.p2, FALSE) AS p2_r
    FROM feeder_cells c
    LEFT JOIN (
        SELECT a.smallest AS feeder_idx, a.idx, TRUE AS p2
        FROM a JOIN substation_cells s ON s.substation_idx = a.substation_idx AND s.idx = a.idx
        WHERE s.n_a >= {t} AND a.hidden BETWEEN 1 AND {t - 1}
    ) ra ON ra.feeder_idx = c.feeder_idx AND ra.idx = c.idx
    LEFT JOIN (
        SELECT r.smallest AS feeder_idx, r.idx, TRUE AS p2
        FROM r JOIN substation_cells s ON s.substation_idx = r.substation_idx AND s.idx = r.idx
        WHERE s.n_r >= {t} AND r.hidden BETWEEN 1 AND {t - 1}
    ) rr ON rr.feeder_idx = c.feeder_idx AND rr.idx = c.idx
    """


def reason_name_case(column: str = "reason") -> str:
    return "CASE " + " ".join(f"WHEN {column} = {i} THEN '{r}'" for i, r in enumerate(REASONS)) + " END"
