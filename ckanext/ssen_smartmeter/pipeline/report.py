"""The quality report of a day: public, so only counts, never meter values."""

from __future__ import annotations

import dataclasses
import json
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
    #: per level {"new_rows", "changed_rows", "removed_rows"} on a restatement, else None
    restatement: dict[str, dict[str, int]] | None = None

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
