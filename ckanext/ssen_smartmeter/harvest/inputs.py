"""Where a source's reads and topology are, and how to get them.

No CKAN imports. A local source is read in place (files under an allowed
root); a remote one is downloaded into the day's work area, streaming, with
its SHA-256 computed on the way (local files are hashed by the pipeline while
it aggregates, or here when only a comparison is needed). :meth:`DayInputs.fingerprint` is the cheap
change detector gather uses (sizes and modification times, or HTTP
``ETag``/``Last-Modified``/``Content-Length``); the SHA-256 of the reads is
the real identity of a day's input, computed in fetch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from ckanext.ssen_smartmeter.harvest.source_config import Location, SourceConfig
from ckanext.ssen_smartmeter.pipeline import sha256_file

TOPOLOGY_TABLES = ("lv_feeders", "meter_feeders")
TOPOLOGY_SUFFIXES = (".parquet", ".csv")
HTTP_TIMEOUT = (10, 120)  # connect, read (seconds)
_CHUNK = 1 << 20


class InputUnavailable(Exception):
    """An input could not be obtained (message: which file and why)."""


@dataclasses.dataclass(frozen=True)
class InputFile:
    name: str  # relative to the source location: what operators see
    path: Path  # on this machine (in place, or downloaded)
    sha256: str | None = None  # known when downloaded; else see :func:`with_checksums`


class DayInputs:
    """The reads and topology of one source."""

    def __init__(self, config: SourceConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self._session = session

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
        return self._session

    # ---- gather: cheap listing and fingerprint
    def fingerprint(self, day: dt.date) -> str | None:
        """A short digest of what the day's reads look like now; None without reads."""
        parts = self._describe_reads(day)
        if not parts:
            return None
        blob = json.dumps(parts, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:32]

    def _describe_reads(self, day: dt.date) -> list[list[Any]]:
        reads = self.config.reads
        name = self.config.reads_name(day)
        if reads.path is not None:
            found = sorted(glob.glob(str(reads.path / name)))
            described = []
            for path in found:
                stat = Path(path).stat()
                described.append(
                    [str(Path(path).relative_to(reads.path)), stat.st_size, stat.st_mtime_ns]
                )
            return described
        assert reads.url is not None
        head = self._head(urljoin(reads.url, name))
        if head is None:
            return []
        return [
            [
                name,
                head.get("ETag") or head.get("Last-Modified") or "",
                head.get("Content-Length") or "",
            ]
        ]

    def _head(self, url: str) -> dict[str, str] | None:
        try:
            response = self.session.head(url, timeout=HTTP_TIMEOUT, allow_redirects=True)
        except requests.RequestException as exc:
            raise InputUnavailable(f"{url}: {type(exc).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise InputUnavailable(f"{url}: HTTP {response.status_code}")
        return dict(response.headers)

    # ---- fetch: the files themselves
    def reads(self, day: dt.date, work_dir: Path) -> list[InputFile]:
        """The day's reads with their SHA-256 (downloaded into ``work_dir`` if remote)."""
        reads = self.config.reads
        name = self.config.reads_name(day)
        if reads.path is not None:
            found = sorted(glob.glob(str(reads.path / name)))
            if not found:
                raise InputUnavailable(f"no reads file matches {name} in {reads.path}")
            return [InputFile(str(Path(p).relative_to(reads.path)), Path(p)) for p in found]
        target = work_dir / "reads" / Path(name).name
        return [self._download(reads, name, target)]

    def topology(self, work_dir: Path) -> tuple[Path, list[InputFile]]:
        """The topology folder to aggregate with, and its files with their SHA-256."""
        location = self.config.topology
        files: list[InputFile] = []
        if location.path is not None:
            for table in TOPOLOGY_TABLES:
                path = _first_existing(location.path, table)
                if path is None:
                    raise InputUnavailable(
                        f"topology table {table} (.parquet or .csv) missing from {location.path}"
                    )
                files.append(InputFile(path.name, path))
            return location.path, files
        folder = work_dir / "topology"
        for table in TOPOLOGY_TABLES:
            for suffix in TOPOLOGY_SUFFIXES:
                name = table + suffix
                if self._head(urljoin(location.url or "", name)) is not None:
                    files.append(self._download(location, name, folder / name))
                    break
            else:
                raise InputUnavailable(
                    f"topology table {table} (.parquet or .csv) missing from {location}"
                )
        return folder, files

    def _download(self, location: Location, name: str, target: Path) -> InputFile:
        url = urljoin(location.url or "", name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        try:
            with self.session.get(url, stream=True, timeout=HTTP_TIMEOUT) as response:
                if response.status_code == 404:
                    raise InputUnavailable(f"{url}: not found (HTTP 404)")
                if response.status_code >= 400:
                    raise InputUnavailable(f"{url}: HTTP {response.status_code}")
                with partial.open("wb") as out:
                    for chunk in response.iter_content(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        except requests.RequestException as exc:
            raise InputUnavailable(f"{url}: download failed ({type(exc).__name__})") from None
        partial.replace(target)
        return InputFile(name, target, digest.hexdigest())


def _first_existing(folder: Path, table: str) -> Path | None:
    for suffix in TOPOLOGY_SUFFIXES:
        path = folder / (table + suffix)
        if path.is_file():
            return path
    return None


def with_checksums(files: list[InputFile]) -> list[InputFile]:
    """``files`` with every SHA-256 known (local files are hashed here)."""
    return [f if f.sha256 else dataclasses.replace(f, sha256=sha256_file(f.path)) for f in files]


def digest_of(files: list[InputFile]) -> dict[str, str]:
    """``{name: sha256}``: what gets stored and compared."""
    return {f.name: f.sha256 or "" for f in with_checksums(files)}
