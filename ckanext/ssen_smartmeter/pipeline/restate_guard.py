"""Rule P3 restatement guard: two publications of a day never isolate a few meters.

Anyone holding a day's publication and its restatement can subtract them: a
feeder half-hour published with 7 meters and 1,000 Wh, restated with 8 meters
and 1,160 Wh, gives one meter's 160 Wh. The guard decides per *block*, a
secondary substation at one half-hour (its row and all its feeders' rows,
every measure), comparing the previous publication with the new result. A
block takes its new rows only if

- the publication pattern is the same in both: every value column is empty
  in both or published in both, for the substation and each feeder (a row
  absent from one publication counts as all empty there), and
- every cell changes not at all (same count and values) or by at least
  ``threshold`` meters: the substation cell, each published feeder cell and
  the hidden group (substation minus its published feeders, per measure).
  The second register's meter count is not published and the earlier one is
  not known, so a published ``secondary_consumption_active_import`` must not
  change at all.

Otherwise the block keeps its previously published rows as they were (values
and both times). A block absent from the previous publication is new and
taken; a block absent from the new result (its substation has no read any
more) is removed, which publishes nothing. Everything here is SQL over the
rows already built (``outputs.build_rows``) and the previous files.
"""

from __future__ import annotations

#: the published value columns, by role
COUNT_A = "aggregated_device_count_active"
PRIMARY = "primary_consumption_active_import"
SECONDARY = "secondary_consumption_active_import"
TOTAL_A = "total_consumption_active_import"
COUNT_R = "aggregated_device_count_reactive"
TOTAL_R = "total_consumption_reactive_import"
VALUES = (COUNT_A, PRIMARY, SECONDARY, TOTAL_A, COUNT_R, TOTAL_R)

#: the table of blocks: ``sub_key`` (10 digits), ``ts``, ``in_new``, ``in_old``, ``held``
BLOCKS = "restate_blocks"


def compare(table: str, new_rows: str, previous: str, names: tuple[str, ...]) -> str:
    """Temp table ``table``: the new rows beside the previous ones, by (``dataset_id``, ``ts``).

    ``new_rows`` selects ``dataset_id``, ``ts`` and the value columns;
    ``previous`` is a table of the earlier publication (``outputs._previous_select``)
    with the ``names`` columns too.
    """
    values = ", ".join(f"n.{v} AS n_{v}, p.{v} AS o_{v}" for v in VALUES)
    old_names = "".join(f", p.{c} AS o_{c}" for c in names)
    return f"""
    CREATE OR REPLACE TEMP TABLE {table} AS
    SELECT coalesce(n.dataset_id, p.dataset_id) AS dataset_id, coalesce(n.ts, p.ts) AS ts,
           n.dataset_id IS NOT NULL AS in_new, p.dataset_id IS NOT NULL AS in_old,
           {values},
           p.insert_time AS o_insert, p.last_modified_time AS o_modified{old_names}
    FROM ({new_rows}) n
    FULL OUTER JOIN {previous} p ON p.dataset_id = n.dataset_id AND p.ts = n.ts
    """


def _same(v: str) -> str:
    return f"n_{v} IS NOT DISTINCT FROM o_{v}"


def row_ok(threshold: int) -> str:
    """True where one compared row keeps its pattern and each of its cells may change.

    A count that changes by ``threshold`` or more may take new values; one
    that does not must keep count and value. The secondary value must not
    change (its meters are not counted in the publication).
    """
    t = int(threshold)
    pattern = " AND ".join(f"(n_{v} IS NULL) = (o_{v} IS NULL)" for v in VALUES)
    active = (
        f"{_same(SECONDARY)} AND (({_same(COUNT_A)} AND {_same(TOTAL_A)}) "
        f"OR abs(n_{COUNT_A} - o_{COUNT_A}) >= {t})"
    )
    reactive = f"({_same(COUNT_R)} AND {_same(TOTAL_R)}) OR abs(n_{COUNT_R} - o_{COUNT_R}) >= {t}"
    return f"coalesce({pattern} AND {active} AND ({reactive}), FALSE)"


def _hidden_ok(count: str, value: str, t: int) -> str:
    """The hidden group of a measure (substation minus its published feeders) keeps
    its count and value, or its count changes by at least ``t``. True where the
    substation value is not published (no group: the pattern is checked apart)
    and where the group has no meter in either publication (its "value" is
    then the rounding of the feeders' values, no meter's reading)."""

    def group(side: str, column: str) -> str:
        return f"(s.{side}_{column} - coalesce(f.{side}_{column}, 0))"

    dn = f"({group('n', count)} - {group('o', count)})"
    # no meter hidden in either: what is left is the feeders' rounding
    empty = f"({group('n', count)} = 0 AND {group('o', count)} = 0)"
    return (
        f"coalesce(s.n_{count} IS NULL OR s.o_{count} IS NULL OR {empty} "
        f"OR ({dn} = 0 AND {group('n', value)} = {group('o', value)}) "
        f"OR abs({dn}) >= {t}, FALSE)"
    )


def blocks(lv_table: str, substation_table: str, threshold: int) -> str:
    """Temp table ``restate_blocks``: every (substation, half-hour) of either
    publication, whether it is in each and whether it is held."""
    t = int(threshold)
    sums = ", ".join(
        f"sum({side}_{v}) AS {side}_{v}"
        for v in (COUNT_A, TOTAL_A, COUNT_R, TOTAL_R)
        for side in "no"
    )
    sub_values = ", ".join(
        f"{side}_{v}" for v in (COUNT_A, TOTAL_A, COUNT_R, TOTAL_R) for side in "no"
    )
    ok = row_ok(t)
    return f"""
    CREATE OR REPLACE TEMP TABLE {BLOCKS} AS
    WITH f AS (
        SELECT left(dataset_id, 10) AS sub_key, ts, bool_and({ok}) AS ok,
               bool_or(in_new) AS in_new, bool_or(in_old) AS in_old, {sums}
        FROM {lv_table} GROUP BY left(dataset_id, 10), ts
    ),
    s AS (
        SELECT dataset_id AS sub_key, ts, {ok} AS ok, in_new, in_old, {sub_values}
        FROM {substation_table}
    ),
    b AS (
        SELECT coalesce(s.sub_key, f.sub_key) AS sub_key, coalesce(s.ts, f.ts) AS ts,
               coalesce(s.in_new, FALSE) OR coalesce(f.in_new, FALSE) AS in_new,
               coalesce(s.in_old, FALSE) OR coalesce(f.in_old, FALSE) AS in_old,
               coalesce(s.ok, TRUE) AND coalesce(f.ok, TRUE)
                   AND {_hidden_ok(COUNT_A, TOTAL_A, t)} AND {_hidden_ok(COUNT_R, TOTAL_R, t)} AS ok
        FROM s FULL OUTER JOIN f ON f.sub_key = s.sub_key AND f.ts = s.ts
    )
    SELECT sub_key, ts, in_new, in_old, in_new AND in_old AND NOT ok AS held FROM b
    """


def restated(
    table: str,
    compared: str,
    block_key: str,
    dims: str,
    dims_key: str,
    names: tuple[str, ...],
    published: str,
) -> str:
    """Temp table ``table``: the rows to write, with names, values and both times.

    Per compared row (``compared``; ``block_key`` its substation key on ``c``):

    - a held block keeps the previous row (``use_old``); a key new to the
      publication gets an empty row there (every key keeps its 48 rows);
    - any other block takes the new row; a key that is no longer in the
      result keeps its previous rows only where it has a held block
      (elsewhere they were empty: the pattern was the same), else it is removed.

    ``insert_time`` is the previous one where there was a row; ``last_modified_time``
    moves to ``published`` only where values changed. Names come from the
    current topology (``dims``, keyed by ``dims_key`` on ``d``), or the previous
    row for a key no longer in it.
    """
    same = " AND ".join(_same(v) for v in VALUES)
    values = ", ".join(
        f"CASE WHEN use_old THEN o_{v} WHEN held THEN NULL ELSE n_{v} END AS {v}" for v in VALUES
    )
    text = ", ".join(
        f"CASE WHEN {dims_key} IS NOT NULL THEN d.{c} ELSE c.o_{c} END AS {c}" for c in names
    )
    return f"""
    CREATE OR REPLACE TEMP TABLE {table} AS
    WITH c AS (
        SELECT c.*, b.held, c.in_old AND (b.held OR NOT c.in_new) AS use_old, {same} AS same
        FROM {compared} c JOIN {BLOCKS} b ON b.sub_key = {block_key} AND b.ts = c.ts
    ),
    kept AS (SELECT DISTINCT dataset_id FROM c WHERE held AND NOT in_new)
    SELECT c.dataset_id, c.ts, {text}, {values},
           CASE WHEN c.in_old THEN coalesce(c.o_insert, {published}) ELSE {published} END
               AS insert_us,
           CASE WHEN c.in_old AND (use_old OR same) THEN coalesce(c.o_modified, {published})
                ELSE {published} END AS modified_us,
           c.in_old, NOT c.in_old AS is_new, c.in_old AND NOT use_old AND NOT same AS is_changed,
           use_old AND held AS is_held
    FROM c
    LEFT JOIN kept k ON k.dataset_id = c.dataset_id
    LEFT JOIN {dims} d ON {dims_key} = c.dataset_id
    WHERE c.held OR c.in_new OR k.dataset_id IS NOT NULL
    """
