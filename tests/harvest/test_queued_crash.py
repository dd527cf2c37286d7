"""Queued mode with real consumer processes, and a fetch consumer killed mid-day.

The reads come from an HTTP server in this process that stalls in the middle
of one day's file, so the fetch consumer is reliably killed while it holds
that day. ckanext-harvest re-queues a message that was taken but never
acknowledged once it is 3 minutes old (``ckan harvester run``); the test
ages that marker instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError

from ckanext.ssen_smartmeter.harvest import publish, state

from .conftest import DAYS, source_config

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"), pytest.mark.slow]
CKAN = str(Path(sys.executable).with_name("ckan"))
STALLED = f"/reads/{DAYS[1]}.parquet"


class StallingServer:
    """Serves a folder; the first GET of :data:`STALLED` stops half-way until released."""

    def __init__(self, folder: Path) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != STALLED or outer.release.is_set():
                    super().do_GET()
                    return
                body = (folder / STALLED.lstrip("/")).read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    outer.started.set()
                    outer.release.wait(120)
                    self.wfile.write(body[len(body) // 2 :])
                except OSError:
                    pass  # the consumer was killed

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()


@pytest.fixture
def server(generated: Path) -> Iterator[StallingServer]:
    running = StallingServer(generated)
    yield running
    running.close()


@pytest.fixture
def spawn(worker_ini: Path, tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start(command: str) -> subprocess.Popen:
        log = (tmp_path / f"{command}-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [CKAN, "-c", str(worker_ini), "harvester", command],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def ckan_run(worker_ini: Path) -> None:
    subprocess.run(
        [CKAN, "-c", str(worker_ini), "harvester", "run"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        model.Session.remove()
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def objects(job_id: str) -> dict[str, HarvestObject]:
    """The job's day objects (not the objects that link its datasets to the source)."""
    return {
        o.guid: o
        for o in model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_job_id == job_id)
        .filter(~HarvestObject.guid.startswith(state.LINK_PREFIX))
    }


def day_resources(day: dt.date) -> list[dict[str, Any]]:
    found = []
    for level in ("lv-feeder", "secondary-substation"):
        try:
            dataset = tk.get_action("package_show")(
                {"ignore_auth": True}, {"id": f"smart-meter-{level}-2024-02"}
            )
        except tk.ObjectNotFound:
            continue
        found += [r for r in dataset["resources"] if r["period_start"] == day.isoformat()]
    return found


def test_a_fetch_consumer_killed_mid_day_leaves_published_state_and_the_rerun_completes(
    server: StallingServer,
    make_source: Callable[..., dict[str, Any]],
    spawn: Callable[[str], subprocess.Popen],
    worker_ini: Path,
) -> None:
    queue.purge_queues()
    config = source_config(
        Path("/unused"), reads=server.url + "/reads/", topology=server.url + "/topology/"
    )
    source = make_source(config, url=server.url + "/reads/")
    spawn("gather-consumer")
    fetch_consumer = spawn("fetch-consumer")
    job = tk.get_action("harvest_job_create")(
        {"ignore_auth": True}, {"source_id": source["id"], "run": True}
    )

    # day 1 publishes, then the consumer stalls inside day 2's download: kill it there
    assert server.started.wait(120), "the fetch consumer never asked for day 2"
    wait_for(
        lambda: (
            objects(job["id"]).get(DAYS[0].isoformat()) is not None
            and objects(job["id"])[DAYS[0].isoformat()].state == "COMPLETE"
        ),
        "day 1",
    )
    day1 = {r["id"]: publish.published_file(r["id"]).read_bytes() for r in day_resources(DAYS[0])}
    assert len(day1) == 4
    os.killpg(fetch_consumer.pid, signal.SIGKILL)
    fetch_consumer.wait()
    model.Session.remove()
    states = {guid: o.state for guid, o in objects(job["id"]).items()}
    assert states == {
        DAYS[0].isoformat(): "COMPLETE",
        DAYS[1].isoformat(): "FETCH",
        DAYS[2].isoformat(): "WAITING",
    }
    assert day_resources(DAYS[1]) == []

    # restart; the unacknowledged day 2 is re-queued by `ckan harvester run` once it is
    # 3 minutes old (aged here), and the job completes
    server.release.set()
    spawn("fetch-consumer")
    redis = queue.get_connection()
    stuck = queue.get_fetch_routing_key() + ":" + objects(job["id"])[DAYS[1].isoformat()].id
    assert redis.get(stuck) is not None
    redis.set(stuck, str(dt.datetime.now() - dt.timedelta(minutes=4)))
    ckan_run(worker_ini)
    wait_for(
        lambda: all(o.state in ("COMPLETE", "ERROR") for o in objects(job["id"]).values()),
        "every day to finish",
    )
    errors = model.Session.query(HarvestObjectError.message).all()
    assert {o.state for o in objects(job["id"]).values()} == {"COMPLETE"}, errors
    ckan_run(worker_ini)
    model.Session.remove()
    assert HarvestJob.get(job["id"]).status == "Finished"

    report = tk.get_action("ssen_smartmeter_job_report")({"ignore_auth": True}, {"id": job["id"]})
    assert report["statuses"] == {"published": 3}
    assert {
        r["id"]: publish.published_file(r["id"]).read_bytes() for r in day_resources(DAYS[0])
    } == day1
    for day in DAYS:
        assert sorted(r["format"] for r in day_resources(day)) == [
            "CSV",
            "CSV",
            "Parquet",
            "Parquet",
        ]
    assert objects(job["id"])[DAYS[1].isoformat()].retry_times == 2


def test_a_run_test_job_left_on_the_gather_queue_is_not_gathered_again(
    generated: Path,
    make_source: Callable[..., dict[str, Any]],
    spawn: Callable[[str], subprocess.Popen],
    worker_ini: Path,
) -> None:
    queue.purge_queues()
    late = generated / "reads" / f"{DAYS[2]}.parquet"
    held = late.rename(late.with_suffix(".held"))  # the last day's reads arrive later
    source = make_source(source_config(generated))
    subprocess.run(
        [CKAN, "-c", str(worker_ini), "harvester", "run-test", source["name"]],
        check=True,
        capture_output=True,
        timeout=300,
    )
    model.Session.remove()
    (job,) = model.Session.query(HarvestJob).filter(HarvestJob.source_id == source["id"])
    before = (job.status, job.gather_started, job.gather_finished, job.finished)
    assert before[0] == "Finished"
    assert sorted(objects(job.id)) == [DAYS[0].isoformat(), DAYS[1].isoformat()]
    # run-test ran the job in its own process, and also left it on the gather queue
    redis = queue.get_connection()
    gather_key = queue.get_gather_routing_key()
    assert redis.llen(gather_key) == 1

    held.rename(late)
    spawn("gather-consumer")
    wait_for(
        lambda: redis.llen(gather_key) == 0 and not redis.keys(gather_key + ":*"),
        "the gather consumer to take the job",
    )
    model.Session.remove()
    job = HarvestJob.get(job.id)
    # no day attached to the finished job, nothing sent to fetch, its record untouched
    assert sorted(objects(job.id)) == [DAYS[0].isoformat(), DAYS[1].isoformat()]
    assert redis.llen(queue.get_fetch_routing_key()) == 0
    assert (job.status, job.gather_started, job.gather_finished, job.finished) == before
    report = tk.get_action("ssen_smartmeter_job_report")({"ignore_auth": True}, {"id": job.id})
    assert report["statuses"] == {"published": 2}
