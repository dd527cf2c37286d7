#!/usr/bin/env python3
"""Search benchmark for ssen_search: generated datasets, index rebuild rate
and package_search latency (p50/p95) against a naive SQL baseline.

    CKAN_SQLALCHEMY_URL=postgresql://ckan_default:pass@127.0.0.1/ckan_test_search \\
        .venv/bin/python benchmarks/search_bench.py --datasets 10000 --repeat 100

WIPES the configured database (it must be a test database: its name must
contain ``test`` or ``bench``). Steps:

1. reset the database and insert N generated datasets (tags, 1-4 resources,
   extras, 20 organisations) straight through the ORM;
2. ``ckan.lib.search.rebuild()``: CKAN's own rebuild (package_show + document
   building + our index write) for every dataset; prints datasets/s;
3. ``package_search`` through the action layer, ``--repeat`` times each: a
   free-text query, a 5-facet query and a filtered query; p50/p95 in ms;
4. the same three questions answered naively (ILIKE scans and equality on
   JSONB values without the tsvector/GIN indexes; facets counted in Python),
   in the same run on the same data.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "feeder substation meter consumption half hourly voltage network load demand "
    "profile carbon heat pump solar export import flexibility capacity constraint "
    "outage fault reliability tariff winter summer peak baseload domestic commercial "
    "rural urban island highland coastal cable transformer switchgear planning "
    "forecast scenario electric vehicle charging storage battery generation embedded "
    "connection queue reinforcement losses harmonics frequency reactive power quality"
).split()
FORMATS = ["CSV", "JSON", "Parquet", "XLSX", "PDF", "GeoJSON"]
LICENSES = ["cc-by", "odc-by", "cc-zero", "uk-ogl", "other-open"]
FREQUENCIES = ["daily", "weekly", "monthly", "annual"]
AREAS = ["north", "south"]
FACETS = ["organization", "tags", "res_format", "license_id", "frequency"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def load_ckan(ini: str) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(ini)
    config["ckan.plugins"] = "ssen_search"
    return make_app(config)


def reset_database() -> None:
    from ckan import model
    from ckan.cli.db import _run_migrations

    url = str(model.ensure_engine().url.database)
    if "test" not in url and "bench" not in url:
        sys.exit(f"refusing to wipe database {url!r}: its name has neither 'test' nor 'bench'")
    model.repo.rebuild_db()
    _run_migrations("ssen_search")


def generate(count: int, seed: int) -> None:
    from ckan import model

    rng = random.Random(seed)
    orgs = []
    for i in range(20):
        org = model.Group(
            name=f"org-{i}", title=f"Organisation {i}", type="organization", is_organization=True
        )
        model.Session.add(org)
        orgs.append(org)
    tags = [model.Tag(name=f"tag-{w}") for w in WORDS]
    model.Session.add_all(tags)
    model.Session.flush()
    start = time.perf_counter()
    for i in range(count):
        words = rng.sample(WORDS, 6)
        package = model.Package(
            id=str(uuid.UUID(int=rng.getrandbits(128))),
            name=f"dataset-{i:05d}",
            title=" ".join(words[:4]).capitalize(),
            notes=" ".join(rng.choices(WORDS, k=40)),
            license_id=rng.choice(LICENSES),
            owner_org=rng.choice(orgs).id,
            type="dataset",
            state="active",
            private=False,
        )
        model.Session.add(package)
        for tag in rng.sample(tags, rng.randint(1, 5)):
            model.Session.add(model.PackageTag(package=package, tag=tag, state="active"))
        for position in range(rng.randint(1, 4)):
            resource = model.Resource(
                package_id=package.id,
                url=f"http://data.invalid/{i}/{position}",
                format=rng.choice(FORMATS),
                name=f"{rng.choice(WORDS)} file",
            )
            resource.position = position
            model.Session.add(resource)
        package.extras = {"frequency": rng.choice(FREQUENCIES), "licence_area": rng.choice(AREAS)}
        if i % 500 == 499:
            model.Session.commit()
            rate = (i + 1) / (time.perf_counter() - start)
            print(f"\r  generated {i + 1}/{count} ({rate:.0f}/s)", end="", flush=True)
    model.Session.commit()
    print()


def time_calls(call: Callable[[int], Any], repeat: int) -> list[float]:
    call(0)  # warm-up
    timings = []
    for i in range(repeat):
        start = time.perf_counter()
        call(i)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the datasets of a previous run (same --datasets): "
        "only clear and rebuild the index",
    )
    args = parser.parse_args()

    app = load_ckan(args.ini)
    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        from ckan import model
        from ckan.lib import search
        from ckan.logic import get_action
        from sqlalchemy import text

        from ckanext.ssen_search.tables import TABLE

        print(f"database: {model.ensure_engine().url.database}, datasets: {args.datasets}")
        existing = model.Session.query(model.Package).count()
        if args.reuse and existing == args.datasets:
            print(f"reusing {existing} generated datasets")
            from ckan.cli.db import _run_migrations

            _run_migrations("ssen_search")
            search.clear_all()
            # give the rebuild a compact table, as a first build would have
            with (
                model.ensure_engine()
                .connect()
                .execution_options(isolation_level="AUTOCOMMIT") as connection
            ):
                connection.execute(text(f"VACUUM FULL {TABLE}"))
        else:
            reset_database()
            generate(args.datasets, args.seed)

        start = time.perf_counter()
        search.rebuild(defer_commit=True, quiet=True)
        rebuild_s = time.perf_counter() - start
        indexed = model.Session.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar()
        print(
            f"rebuild: {indexed} datasets in {rebuild_s:.1f} s = "
            f"{indexed / rebuild_s:.0f} datasets/s"
        )
        model.Session.execute(text(f"ANALYZE {TABLE}"))
        model.Session.commit()

        rng = random.Random(args.seed)
        terms = [rng.choice(WORDS) for _ in range(args.repeat + 1)]
        orgs = [f"org-{rng.randrange(20)}" for _ in range(args.repeat + 1)]
        package_search = get_action("package_search")
        context = {"ignore_auth": True}

        text_q = {"q": "{term}", "rows": 20}
        facet_q = {"q": "*:*", "rows": 20, "facet.field": FACETS, "facet.limit": 50}
        filter_q = {
            "q": "{term}",
            "rows": 20,
            "fq": "+organization:{org} +res_format:CSV +metadata_modified:[NOW-1YEAR TO NOW]",
        }
        questions = {"text query": text_q, "5-facet query": facet_q, "filtered query": filter_q}

        def params(question: dict[str, Any], i: int) -> dict[str, Any]:
            return {
                k: v.replace("{term}", terms[i]).replace("{org}", orgs[i])
                if isinstance(v, str)
                else v
                for k, v in question.items()
            }

        def action(question: dict[str, Any]) -> Callable[[int], Any]:
            return lambda i: package_search(dict(context), params(question, i))

        def engine(question: dict[str, Any]) -> Callable[[int], Any]:
            # CKAN's PackageSearchQuery (Solr parameter building) + our engine,
            # without the action's validation and result decoding
            def run(i: int) -> Any:
                query = dict(
                    params(question, i), fl="name", sort="score desc, metadata_modified desc"
                )
                if query.get("facet.field"):
                    query["facet.field"] = list(query["facet.field"])
                return search.query_for(model.Package).run(query)

            return run

        def naive_text(i: int) -> Any:
            return model.Session.execute(
                text(
                    f"SELECT doc->>'name', count(*) OVER () FROM {TABLE} "
                    "WHERE concat_ws(' ', doc->>'title', doc->>'notes', doc->>'tags', "
                    "doc->>'res_name') ILIKE :p "
                    "ORDER BY doc->>'metadata_modified' DESC LIMIT 20"
                ),
                {"p": f"%{terms[i]}%"},
            ).all()

        def naive_facets(i: int) -> Any:
            counters = {f: Counter() for f in FACETS}
            rows = model.Session.execute(text(f"SELECT doc FROM {TABLE}")).scalars()
            for doc in rows:
                for field in FACETS:
                    value = doc.get(field)
                    for v in set(value if isinstance(value, list) else [value]):
                        if v is not None:
                            counters[field][v] += 1
            return {f: c.most_common(50) for f, c in counters.items()}

        def naive_filtered(i: int) -> Any:
            return model.Session.execute(
                text(
                    f"SELECT doc->>'name', count(*) OVER () FROM {TABLE} "
                    "WHERE doc->>'organization' = :o AND doc->'res_format' ? 'CSV' "
                    "AND doc->>'metadata_modified' >= :since "
                    "AND concat_ws(' ', doc->>'title', doc->>'notes', doc->>'tags') ILIKE :p "
                    "ORDER BY doc->>'metadata_modified' DESC LIMIT 20"
                ),
                {"o": orgs[i], "p": f"%{terms[i]}%", "since": "2000-01-01"},
            ).all()

        naive = {
            "text query": naive_text,
            "5-facet query": naive_facets,
            "filtered query": naive_filtered,
        }

        print(
            f"\nlatency in ms over {args.repeat} runs each (p50 / p95); 'action' is the "
            "whole package_search action, 'engine' the search itself"
        )
        print(
            f"{'query':<16}{'action':>16}{'engine':>16}{'naive baseline':>18}"
            f"{'engine vs naive':>17}"
        )
        for name, question in questions.items():
            whole = time_calls(action(question), args.repeat)
            mine = time_calls(engine(question), args.repeat)
            base = time_calls(naive[name], args.repeat)

            def cell(values: list[float]) -> str:
                return f"{statistics.median(values):.1f} / {percentile(values, 95):.1f}"

            speed = statistics.median(base) / statistics.median(mine)
            print(f"{name:<16}{cell(whole):>16}{cell(mine):>16}{cell(base):>18}{speed:>16.1f}x")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak RSS of this process: {peak:.0f} MiB")
        size = model.Session.execute(
            text(f"SELECT pg_size_pretty(pg_total_relation_size('{TABLE}'))")
        ).scalar()
        print(f"index table size (with GIN indexes): {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
