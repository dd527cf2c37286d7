"""Inputs hashed while downloading are not hashed again by the pipeline."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ckanext.ssen_smartmeter.harvest import aggregate
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def served(generated: Path) -> Iterator[str]:
    """The generated days over HTTP on this machine (an HTTP source)."""
    handler = functools.partial(_Quiet, directory=str(generated))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_pipeline_gets_the_digests_of_what_was_downloaded(
    served: str,
    generated: Path,
    make_source: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: list[dict[str, str]] = []
    real = aggregate.aggregate_day

    def spy(*args: Any, **kwargs: Any) -> Any:
        given.append(dict(kwargs["checksums"] or {}))
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregate, "aggregate_day", spy)
    config = source_config(
        Path("/unused"), reads=served + "/reads/", topology=served + "/topology/"
    )
    source = make_source(config, url=served + "/reads/")
    report = run_job(source["name"])
    assert report["statuses"] == {"published": len(DAYS)}

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    topology = sorted(digest(p) for p in (generated / "topology").iterdir())
    for day, checksums in zip(DAYS, given, strict=True):
        # every input of the day: its reads file and the two topology tables
        names = sorted(Path(p).name for p in checksums)
        assert names == sorted(
            [f"{day}.parquet", *(p.name for p in (generated / "topology").iterdir())]
        )
        values = {Path(p).name: v for p, v in checksums.items()}
        assert values[f"{day}.parquet"] == digest(generated / "reads" / f"{day}.parquet")
        assert sorted(v for n, v in values.items() if not n.startswith("2024")) == topology


def test_an_unusable_download_is_named_as_the_source_names_it(
    served: str, generated: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    (generated / "reads" / f"{DAYS[1]}.parquet").write_bytes(b"PAR1 this is not parquet")
    config = source_config(
        Path("/unused"), reads=served + "/reads/", topology=served + "/topology/"
    )
    report = run_job(make_source(config, url=served + "/reads/")["name"])
    (message,) = next(d for d in report["days"] if d["day"] == DAYS[1].isoformat())["errors"]
    # not the work area (<storage>/ssen_smartmeter/work/<source>/<day>/<object>/reads/...)
    assert message == (
        f"{DAYS[1]}: input unusable: {DAYS[1]}.parquet: not a readable "
        "Parquet file: Invalid Input Error: No magic bytes found at end of file"
    )
