"""The published Parquet schema does not depend on the day's data."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ckanext.ssen_smartmeter.pipeline.outputs import LV_COLUMNS, VALUE_COLUMNS

from .helpers import run

DAY = dt.date(2024, 2, 12)
START = dt.datetime(2024, 2, 12, tzinfo=dt.UTC)
#: never NULL by construction, so REQUIRED; everything else OPTIONAL
REQUIRED = {
    "dataset_id",
    "dno_name",
    "dno_alias",
    "data_collection_log_timestamp",
    "insert_time",
    "last_modified_time",
}


def _day(folder: Path, meters: int, half_hours: int = 48) -> tuple[list[Path], Path]:
    """One feeder of ``meters`` meters, every meter read in the first ``half_hours``."""
    topology = folder / "topology"
    topology.mkdir(parents=True)
    (topology / "lv_feeders.csv").write_text(
        "dataset_id,secondary_substation_id,secondary_substation_name,lv_feeder_id,"
        "lv_feeder_name,substation_geo_location,licence_area\n"
        '000100100101,0001,Sub 1,01,Feeder 1,"56.1,-3.9",SHEPD\n',
        encoding="utf-8",
    )
    mpans = [f"{1000000000000 + i}" for i in range(meters)]
    with open(topology / "meter_feeders.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["mpan", "dataset_id"])
        out.writerows([m, "000100100101"] for m in mpans)
    ends = [START + dt.timedelta(minutes=30 * (i + 1)) for i in range(half_hours)]
    n = len(mpans) * len(ends)
    table = pa.table(
        {
            "mpan": pa.array([m for m in mpans for _ in ends], pa.string()),
            "period_end": pa.array(ends * len(mpans), pa.timestamp("us", tz="UTC")),
            "active_import_wh": pa.array([100.0] * n),
            "secondary_active_import_wh": pa.array([10.0] * n),
            "reactive_import_varh": pa.array([5.0] * n),
        }
    )
    reads = folder / "reads.parquet"
    pq.write_table(table, reads)
    return [reads], topology


def _nullable(path: Path) -> dict[str, bool]:
    schema = pq.read_schema(path)
    return {name: schema.field(name).nullable for name in schema.names}


def test_value_columns_stay_optional_when_every_value_is_published(tmp_path):
    full, topology = _day(tmp_path / "full", meters=6)
    run(full, topology, DAY, tmp_path / "full" / "out")
    # three meters (all hidden by P1), ten half-hours (38 empty rows)
    sparse, topology_2 = _day(tmp_path / "sparse", meters=3, half_hours=10)
    run(sparse, topology_2, DAY, tmp_path / "sparse" / "out")

    lv_full = tmp_path / "full" / "out" / "lv_feeder" / f"{DAY}.parquet"
    values = pq.read_table(lv_full, columns=list(VALUE_COLUMNS))
    assert all(values.column(c).null_count == 0 for c in VALUE_COLUMNS)  # nothing hidden
    lv_sparse = tmp_path / "sparse" / "out" / "lv_feeder" / f"{DAY}.parquet"
    assert pq.read_table(lv_sparse).column("total_consumption_active_import").null_count == 48

    expected = {c: c not in REQUIRED for c in LV_COLUMNS}
    assert _nullable(lv_full) == expected
    assert _nullable(lv_sparse) == expected
    substation = _nullable(tmp_path / "full" / "out" / "secondary_substation" / f"{DAY}.parquet")
    sparse_sub = tmp_path / "sparse" / "out" / "secondary_substation" / f"{DAY}.parquet"
    assert substation == _nullable(sparse_sub)
    assert {c for c, nullable in substation.items() if not nullable} == REQUIRED
