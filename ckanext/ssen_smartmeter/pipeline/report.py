"""The quality report of a day: counts only, never a meter's value.

The report the pipeline writes is the operator's: its totals are exact. Its
public view (:func:`public_view`, what the harvester publishes) withholds the
totals that, minus the published values, would count the meters behind
suppressed half-hours: this day's, and the other licence areas' totals a
report of some areas holds.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


@dataclasses.dataclass
class InputFile:
    """An input file and its checksum (``rows`` is known for reads files)."""

    path: str
    sha256: str
    kind: str  # "reads" or "topology"
    rows: int | None = None


@dataclasses.dataclass
class QualityReport:
    """What happened to a day's reads. Serialises to the JSON of the contract."""

    date: str
    threshold: int
    timezone: str
    published_at: str
    rows_read: int
    rows_accepted: int
    rejected: dict[str, int]
    meters: int
    feeders_published: int
    substations_published: int
    cells_suppressed_p1: int
    cells_suppressed_p2: int
    #: {"lv_feeder"|"secondary_substation": {"active"|"reactive": {"p1": n, "p2": n}}}
    suppression: dict[str, dict[str, dict[str, int]]]
    rows_written: dict[str, int]
    inputs: list[InputFile]
    topology: dict[str, int]
    #: per level {"new_rows", "changed_rows", "removed_rows", "held_rows"} on a
    #: restatement, else None
    restatement: dict[str, dict[str, int]] | None = None
    #: rows behind the published active values of the LV file (its counts' sum)
    rows_published: int = 0
    #: the most meters behind the published active values of one half-hour
    meters_published: int = 0
    #: substation half-hours kept as previously published (restatement guard, P3)
    restatement_blocks_held: int | None = None
    #: rows of meters on feeders of other licence areas (``AggregateConfig.licence_areas``):
    #: not this day's rows, so neither in ``rows_read`` nor rejected; each
    #: reads file's ``rows`` counts them
    rows_other_licence_area: int = 0
    #: with licence areas: {"areas", "feeders", "feeders_excluded", "meters_excluded"}
    licence_areas: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityReport:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["inputs"] = [InputFile(**item) for item in data.get("inputs", [])]
        return cls(**values)

    @classmethod
    def read(cls, path: Path) -> QualityReport:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


#: the totals a public report withholds on a day with suppressed values
WITHHELD = ("rows_read", "rows_accepted", "meters", "inputs.rows", "topology.meters")
#: the totals over other licence areas a report of some areas withholds
#: whenever it has any (:func:`public_view`)
WITHHELD_OTHER_AREAS = ("rows_other_licence_area", "licence_areas.meters_excluded", "inputs.rows")


def has_suppressed_cells(report: Mapping[str, Any]) -> bool:
    """Whether any half-hour of the LV file was suppressed (P1 or P2, any measure).

    Suppressed substation values imply suppressed feeder values (a feeder has
    no more meters than its substation), so the LV level decides.
    """
    levels = report.get("suppression") or {}
    lv = levels.get("lv_feeder") or {}
    return any(
        (counts or {}).get(rule, 0) for counts in lv.values() for rule in ("p1", "p2")
    ) or bool(report.get("cells_suppressed_p1") or report.get("cells_suppressed_p2"))


def public_view(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report as it may be published.

    The exact totals of rows read, rows accepted and meters seen include the
    rows and meters behind suppressed half-hours; subtracting the published
    counts from them would count those (fewer than threshold) meters. On a day
    with any suppressed value, or a restatement that held blocks back (rule
    P3's guard), those totals, each reads file's row count and the topology's
    meter count are set to ``None`` and named in ``withheld``.
    What stays is exact and safe: rejected rows by reason (a rejected row is
    in no value), ``rows_published`` and ``meters_published`` (the published
    file's own counts), units published and cells suppressed.

    A report of some licence areas also holds totals over the others: the
    rows of their meters (``rows_other_licence_area``, which each reads
    file's ``rows`` includes) and their meters in the topology
    (``licence_areas.meters_excluded``). These are, all but the rows no
    meter has, the other areas' own rows read and topology meters, which
    their source's public view withholds on its days with suppressed
    values; this report cannot tell when that is, so they are withheld
    whenever they are not 0 (listed in ``withheld`` after the above).
    """
    public = copy.deepcopy(dict(report))
    withheld: list[str] = []
    # a restatement whose guard held blocks publishes their earlier counts: the
    # totals, counting the new reads, would count the late meters held back
    if has_suppressed_cells(report) or report.get("restatement_blocks_held"):
        for key in ("rows_read", "rows_accepted", "meters"):
            public[key] = None
        if isinstance(public.get("topology"), dict):
            public["topology"]["meters"] = None
        withheld.extend(WITHHELD)
    areas = public.get("licence_areas") if isinstance(public.get("licence_areas"), dict) else {}
    if report.get("rows_other_licence_area") or areas.get("meters_excluded"):
        public["rows_other_licence_area"] = None
        if areas:
            areas["meters_excluded"] = None
        withheld.extend(w for w in WITHHELD_OTHER_AREAS if w not in withheld)
    if "inputs.rows" in withheld:
        for item in public.get("inputs") or []:
            if "rows" in item:
                item["rows"] = None
    public["withheld"] = withheld
    return public
