"""How fast is /roadmap with 500 roadmap datasets?

    .venv/bin/python benchmarks/roadmap_bench.py [--ini test.ini] [--datasets 500]
        [--requests 200] [--baseline-requests 20]

Loads the CKAN app in-process from ``--ini`` (whose database is RESET first:
the script refuses a database whose name does not contain "test"), creates
the datasets through ``package_create`` and times GET /roadmap with Flask's
test client (no network, no WSGI server) as an anonymous visitor:

- ours, warm: the plugin as shipped (item list cached per permission labels
  until any dataset changes; every request still checks the catalogue stamp,
  filters, groups and renders the whole page);
- ours, with a filter (``?status=planned&audience=consultancies``);
- ours after each change: a dataset is edited before every request, so every
  request misses the cache and runs ``package_search`` again;
- naive baseline A: caching off (``ckanext.ssen_roadmap.cache = false``);
- naive baseline B: ``package_list`` then ``package_show`` per dataset, then
  the same grouping and timeline render (3 runs);
- floor: CKAN's own /about page, the cost of the site's page chrome alone.

Prints p50/p95/max per variant, requests/s and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AUDIENCES = (
    "consultancies", "regulatory_bodies", "local_government", "academia_research",
    "flexibility_service_providers", "distributed_generators", "domestic_aggregator",
)  # fmt: skip
CATEGORIES = (
    "retrospective", "prospective", "stakeholder_request", "legal_requirement", "future_looking",
)  # fmt: skip


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(name: str, times: list[float]) -> dict[str, float]:
    ms = [t * 1000 for t in times]
    row = {
        "p50": statistics.median(ms),
        "p95": percentile(ms, 95),
        "max": max(ms),
        "rps": len(times) / sum(times),
    }
    print(
        f"{name:<44} n={len(times):>4}  p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  "
        f"max {row['max']:7.1f} ms  {row['rps']:6.1f} req/s",
        flush=True,
    )
    return row


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def reset(app: Any) -> None:
    import ckan.plugins as p
    from ckan.cli.db import _resolve_alembic_config, _run_migrations
    from ckan.lib import search
    from ckan.tests.helpers import reset_db

    reset_db()
    for name in p.toolkit.aslist(p.toolkit.config.get("ckan.plugins")):
        if p.plugin_loaded(name) and os.path.exists(_resolve_alembic_config(name)):
            _run_migrations(name)
    search.clear_all()


def seed(count: int) -> tuple[str, str]:
    import ckan.plugins.toolkit as tk

    rng = random.Random(20260401)
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    ctx = {"user": site, "ignore_auth": True}
    org = tk.get_action("organization_create")(dict(ctx), {"name": "bench-org", "title": "SSEN"})
    started = time.perf_counter()
    for index in range(count):
        status = rng.choices(["planned", "in_development", "published", "retired"], [5, 2, 4, 1])[0]
        year = rng.choice([2024, 2025, 2026, 2027])
        data: dict[str, Any] = {
            "name": f"roadmap-bench-{index:04d}",
            "title": f"Network dataset {index:04d}",
            "owner_org": org["id"],
            "private": rng.random() < 0.1,
            "roadmap_status": status,
            "roadmap_planned_release": (
                f"{year}-Q{rng.randint(1, 4)}"
                if rng.random() < 0.6
                else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            ),
            "roadmap_category": rng.choice(CATEGORIES),
            "target_audience": rng.sample(AUDIENCES, rng.randint(1, 3)),
            "use_cases": "Network planning\nResearch",
            "roadmap_note": "Benchmark item" if rng.random() < 0.3 else "",
        }
        if status == "published":
            data["roadmap_actual_release"] = f"{year}-{rng.randint(1, 12):02d}-15"
        tk.get_action("package_create")(dict(ctx), data)
        if (index + 1) % 100 == 0:
            rate = (index + 1) / (time.perf_counter() - started)
            print(f"  created {index + 1}/{count} datasets ({rate:.0f}/s)", flush=True)
    return site, org["id"]


def naive_page(client: Any) -> Callable[[], None]:
    """Baseline B: one package_show per dataset, then group and render."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.lib.helpers import Page  # noqa: F401  (warm import, as the app has it)

    from ckanext.ssen_roadmap.items import item_from_dataset
    from ckanext.ssen_roadmap.page import _render, load_document, timeline_view
    from ckanext.ssen_roadmap.timeline import Filters

    def run() -> None:
        environ = {"CKAN_LANG": "en", "CKAN_LANG_IS_DEFAULT": True}
        with client.application.test_request_context("/roadmap", environ_base=environ):
            client.application.preprocess_request()
            ctx: Any = {"user": "", "model": model, "session": model.Session}
            names = tk.get_action("package_list")(dict(ctx), {})
            found = []
            for name in names:
                pkg = tk.get_action("package_show")(dict(ctx), {"id": name})
                item = item_from_dataset(pkg)
                if item is not None:
                    found.append(item)
            document = load_document()
            views = [
                _render(timeline_view(seg, tuple(found), Filters())) for seg in document.timelines
            ]
            html = tk.render(
                "ssen_roadmap/index.html",
                {"document": document, "timelines": views, "filter_notices": [],
                 "page_url": "/roadmap", "csv_url": "/roadmap.csv", "ical_url": "/roadmap.ics",
                 "atom_url": "/roadmap.atom", "can_request": False, "can_register": True,
                 "contact": None},
            )  # fmt: skip
            assert "ssen-timeline" in html

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--datasets", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--baseline-requests", type=int, default=20)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    import ckan.plugins.toolkit as tk

    database = str(tk.config.get("sqlalchemy.url", "")).rsplit("/", 1)[-1]
    if "test" not in database:
        print(f"refusing to reset database {database!r}: use a test database", file=sys.stderr)
        return 2
    flask_app = app._wsgi_app if hasattr(app, "_wsgi_app") else app
    client = flask_app.test_client()

    with flask_app.app_context():
        with flask_app.test_request_context():
            reset(flask_app)
            print(f"database {database}: reset; seeding {args.datasets} roadmap datasets")
            site, _ = seed(args.datasets)

    def get(url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return run

    body = client.get("/roadmap").get_data(as_text=True)
    shown = body.count('class="ssen-timeline__link"')
    print(f"/roadmap lists {shown} public datasets ({len(body) / 1024:.0f} KiB of HTML)\n")

    results = {}
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    get("/about")()
    floor_times = timed(get("/about"), args.requests // 2)
    results["floor"] = report("floor: CKAN's own /about page", floor_times)
    get("/roadmap")()
    results["warm"] = report("ours, warm cache", timed(get("/roadmap"), args.requests))
    filtered = "/roadmap?status=planned&audience=consultancies"
    get(filtered)()
    results["filter"] = report("ours, warm cache, filtered", timed(get(filtered), args.requests))

    counter = {"n": 0}

    def change_then_get() -> None:
        counter["n"] += 1
        with flask_app.test_request_context():
            tk.get_action("package_patch")(
                {"user": site, "ignore_auth": True},
                {"id": "roadmap-bench-0000", "roadmap_note": f"edit {counter['n']}"},
            )
        start = time.perf_counter()
        get("/roadmap")()
        change_times.append(time.perf_counter() - start)

    change_times: list[float] = []
    for _ in range(args.baseline_requests):
        change_then_get()
    results["changed"] = report("ours, a dataset changed before each request", change_times)

    tk.config["ckanext.ssen_roadmap.cache"] = False
    get("/roadmap")()
    results["nocache"] = report(
        "naive A: no cache (package_search per request)",
        timed(get("/roadmap"), args.baseline_requests),
    )
    tk.config["ckanext.ssen_roadmap.cache"] = True
    results["show"] = report(
        "naive B: package_show per dataset",
        timed(naive_page(client), 3),
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.0f} MiB")
    print(
        f"p95 warm {results['warm']['p95']:.1f} ms "
        f"({'under' if results['warm']['p95'] < 150 else 'OVER'} the 150 ms target); "
        f"{results['nocache']['p50'] / results['warm']['p50']:.1f}x faster than naive A, "
        f"{results['show']['p50'] / results['warm']['p50']:.1f}x faster than naive B (p50)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
