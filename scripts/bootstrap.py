"""Bring a machine from "services running" to "catalogue ready", idempotently.

Run by ``scripts/setup.sh`` and ``scripts/test.sh`` with the project's venv
(after they have made sure PostgreSQL, Redis and ``.venv`` exist):

1. roles and databases (main, test, DataStore), owned by ``ckan_default``;
2. ``ckan.ini`` and ``test-core.ini`` (CKAN ships no ``test-core.ini``);
3. database migrations of CKAN core and of every plugin that has some;
4. demo content: a sysadmin, an organisation, roadmap datasets and a harvest
   of a small generated week.

Every step checks before it acts, so a second run changes nothing; each line
of output says what was done or that nothing was needed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CKAN = str(VENV_BIN / "ckan")

PLUGINS = (
    "ssen_search activity scheming_datasets harvest ssen_smartmeter "
    "ssen_smartmeter_harvester ssen_roadmap dcat text_view image_view"
)
SITE_DESCRIPTION = "Smart meter consumption by LV feeder and secondary substation"
SITE_INTRO = (
    "Half-hourly electricity consumption from smart meters, added up per LV feeder and "
    "secondary substation, one file a day; a value is published only when at least five "
    "meters stand behind it. See the [datasets](/smart-meter) and the "
    "[data roadmap](/roadmap) of what comes next."
)
SCHEMING = {
    "scheming.dataset_schemas": "ckanext.ssen_smartmeter.schemas:smart_meter.yaml "
    "ckanext.ssen_smartmeter.schemas:dataset.yaml",
    "scheming.presets": "ckanext.scheming:presets.json "
    "ckanext.ssen_smartmeter.schemas:presets.yaml "
    "ckanext.ssen_smartmeter.schemas:roadmap_presets.yaml",
    "scheming.dataset_fallback": "false",
}


class BootstrapError(Exception):
    """A step that cannot be done, with what to do about it."""


def log(msg: str) -> None:
    print(f"    {msg}", file=sys.stderr, flush=True)


# -- PostgreSQL --------------------------------------------------------------


class Admin:
    """Runs SQL as a PostgreSQL superuser: over TCP when trust auth allows it
    (the project's machines), else through the local socket as ``postgres``
    (a fresh Debian install, when we are root)."""

    def __init__(self, host: str, port: int) -> None:
        import psycopg2

        self.conn = None
        try:
            self.conn = psycopg2.connect(
                host=host, port=port, user="postgres", dbname="postgres", connect_timeout=5
            )
            self.conn.autocommit = True
        except psycopg2.OperationalError as err:
            if os.geteuid() != 0 or not shutil.which("runuser"):
                raise BootstrapError(
                    f"cannot connect to PostgreSQL at {host}:{port} as superuser 'postgres' "
                    f"({str(err).strip()}); run as root, or create the roles and databases "
                    "listed in README.md by hand"
                ) from err

    def scalar(self, sql: str, args: Iterable[object] = ()) -> object:
        if self.conn is not None:
            with self.conn.cursor() as cur:
                cur.execute(sql, tuple(args))
                row = cur.fetchone() if cur.description else None
                return row[0] if row else None
        # socket fallback: inline the (trusted, internal) arguments
        from psycopg2.extensions import adapt

        text = sql % tuple(adapt(a).getquoted().decode() for a in args) if args else sql
        out = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-tAc", text],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            raise BootstrapError(f"psql failed on {text!r}: {out.stderr.strip()}")
        return out.stdout.strip() or None

    def ensure_role(self, name: str, password: str) -> bool:
        if self.scalar("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]):
            return False
        self.scalar(f'CREATE ROLE "{name}" LOGIN PASSWORD %s', [password])
        return True

    def ensure_database(self, name: str, owner: str) -> bool:
        if self.scalar("SELECT 1 FROM pg_database WHERE datname = %s", [name]):
            return False
        self.scalar(
            f'CREATE DATABASE "{name}" OWNER "{owner}" ENCODING \'UTF8\' TEMPLATE template0'
        )
        return True


# -- configuration files -----------------------------------------------------


def _secret(path: Path) -> str:
    """A per-checkout secret kept in var/ so regenerating configs is stable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip()


def site_settings(args: argparse.Namespace) -> dict[str, str]:
    var = ROOT / "var"
    db = f"postgresql://ckan_default:pass@{args.db_host}:{args.db_port}"
    return {
        "SECRET_KEY": _secret(var / "secret_key"),
        "sqlalchemy.url": f"{db}/{args.db_prefix}ckan_default",
        "ckan.datastore.write_url": f"{db}/{args.db_prefix}datastore_default",
        "ckan.datastore.read_url": f"{db}/{args.db_prefix}datastore_default",
        "ckan.site_url": f"http://127.0.0.1:{args.port}",
        "ckan.site_title": "SSEN Open Data Portal (demo)",
        # the home and about pages (CKAN's own are placeholders)
        "ckan.site_description": SITE_DESCRIPTION,
        "ckan.site_intro_text": SITE_INTRO,
        "ckan.site_about": SITE_INTRO,
        "ckan.site_id": "ssen",
        "ckan.devserver.host": "127.0.0.1",
        "ckan.devserver.port": str(args.port),
        "ckan.redis.url": f"redis://{args.redis_host}:{args.redis_port}/0",
        "ckan.storage_path": str(var / "storage"),
        "ckan.plugins": PLUGINS,
        "ckan.harvest.mq.type": "redis",
        "ckan.harvest.mq.hostname": args.redis_host,
        "ckan.harvest.mq.port": str(args.redis_port),
        "ckan.harvest.mq.redis_db": "0",
        "ckanext.ssen_smartmeter.source_roots": str(var / "sources"),
        "ckan.auth.create_unowned_dataset": "false",
        "ckanext.dcat.rdf.profiles": "euro_dcat_ap_2 ssen_smartmeter",
        # CKAN's default adds datatables_view, which needs the DataStore filled
        # by xloader (not run here): every new CSV logged a missing plugin.
        # CSVs get no preview; the dataset page draws their load profile
        "ckan.views.default_views": "image_view",
        **SCHEMING,
    }


def test_settings(args: argparse.Namespace) -> dict[str, str]:
    """What CKAN's own test-core.ini sets, pointed at our test databases."""
    db = f"postgresql://ckan_default:pass@{args.db_host}:{args.db_port}"
    return {
        "SECRET_KEY": "ssen-test-secret-not-for-production",
        "sqlalchemy.url": f"{db}/{args.db_prefix}ckan_test",
        "ckan.datastore.write_url": f"{db}/{args.db_prefix}datastore_test",
        "ckan.datastore.read_url": f"{db}/{args.db_prefix}datastore_test",
        "ckan.site_url": "http://test.ckan.net",
        "ckan.site_id": "test.ckan.net",
        "ckan.site_title": "CKAN",
        "ckan.redis.url": f"redis://{args.redis_host}:{args.redis_port}/1",
        "ckan.harvest.mq.type": "redis",
        "ckan.harvest.mq.hostname": args.redis_host,
        "ckan.harvest.mq.port": str(args.redis_port),
        "ckan.harvest.mq.redis_db": "1",
        "ckan.storage_path": str(ROOT / "var" / "test-storage"),
        "ckan.plugins": "",
        "ckan.auth.create_unowned_dataset": "true",
        "ckan.auth.create_user_via_web": "true",
        "ckan.auth.user_create_organizations": "true",
        "ckan.auth.user_create_groups": "true",
        "ckan.cache_enabled": "false",
        "ckan.locale_default": "en",
        "ckan.activity_streams_email_notifications": "true",
        "smtp.server": "localhost",
        "smtp.mail_from": "info@test.ckan.net",
        "WTF_CSRF_ENABLED": "false",
    }


def ensure_ini(path: Path, settings: dict[str, str]) -> bool:
    """Create ``path`` with ``ckan generate config`` if missing, then apply
    ``settings`` with ``ckan config-tool``; True when the file changed."""
    before = path.read_bytes() if path.exists() else None
    if before is None:
        _run([CKAN, "generate", "config", str(path)], f"ckan generate config {path.name}")
    current = _read_ini(path)
    todo = [f"{k}={v}" for k, v in settings.items() if current.get(k) != v]
    if todo:
        _run([CKAN, "config-tool", str(path), *todo], f"ckan config-tool {path.name}")
    return path.read_bytes() != before


def _read_ini(path: Path) -> dict[str, str]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return dict(parser["app:main"]) if parser.has_section("app:main") else {}


def _run(cmd: list[str], what: str) -> None:
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode:
        raise BootstrapError(f"{what} failed:\n{out.stdout}{out.stderr}")


# -- migrations and demo content (inside the CKAN app) -------------------------


def migrate(ini: Path) -> list[str]:
    """Upgrades CKAN core and every loaded plugin that has migrations
    (``ckanext/<ext>/migration/<plugin>/alembic.ini``) to head; returns what
    it upgraded (nothing on a second run)."""
    from ckan.cli.db import _resolve_alembic_config, _run_migrations, current_revision

    done = []
    with _app(ini):
        import ckan.plugins.toolkit as tk

        for plugin in ["", *tk.aslist(tk.config.get("ckan.plugins"))]:
            if plugin and not os.path.exists(_resolve_alembic_config(plugin)):
                continue
            state = current_revision(plugin) or ""
            if state.endswith("(head)"):
                continue
            _run_migrations(plugin)
            done.append(plugin or "ckan")
    return done


class _app:
    """Context manager: a loaded CKAN app with a request context."""

    def __init__(self, ini: Path) -> None:
        self.ini = ini

    def __enter__(self) -> object:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        self.app = make_app(load_config(str(self.ini)))
        self.ctx = self.app._wsgi_app.test_request_context()  # type: ignore[attr-defined]
        self.ctx.push()
        return self.app

    def __exit__(self, *exc: object) -> None:
        self.ctx.pop()


def load_demo(ini: Path) -> list[str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    import demo_content

    with _app(ini):
        return demo_content.load(ROOT)


# -- main --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ini", type=Path, default=ROOT / "ckan.ini")
    ap.add_argument("--test-ini", type=Path, default=ROOT / "test-core.ini")
    ap.add_argument("--db-host", default="127.0.0.1")
    ap.add_argument("--db-port", type=int, default=5432)
    ap.add_argument("--db-prefix", default="", help="prefix of every database name (tests)")
    ap.add_argument("--redis-host", default="127.0.0.1")
    ap.add_argument("--redis-port", type=int, default=6379)
    ap.add_argument("--port", type=int, default=5000)
    ap.add_argument("--no-demo", action="store_true", help="skip the demo content")
    ap.add_argument("--test-only", action="store_true", help="only what the test suite needs")
    args = ap.parse_args(argv)
    started = time.monotonic()
    # CKAN lets CKAN_SQLALCHEMY_URL & co. override an ini file: here they would
    # send the migrations and demo content somewhere else than the files say
    for var in [v for v in os.environ if v.startswith("CKAN_") and v != "CKAN_INI"]:
        log(f"ignoring {var} (bootstrap uses the values it writes to the ini files)")
        del os.environ[var]
    changed: list[str] = []
    try:
        admin = Admin(args.db_host, args.db_port)
        for role in ("ckan_default", "datastore_default"):
            if admin.ensure_role(role, "pass"):
                changed.append(f"created role {role}")
        names = ["ckan_test", "datastore_test"]
        if not args.test_only:
            names += ["ckan_default", "datastore_default"]
        for name in names:
            if admin.ensure_database(args.db_prefix + name, "ckan_default"):
                changed.append(f"created database {args.db_prefix + name}")
        if ensure_ini(args.test_ini, test_settings(args)):
            changed.append(f"wrote {args.test_ini.name}")
        if not args.test_only:
            if ensure_ini(args.ini, site_settings(args)):
                changed.append(f"wrote {args.ini.name}")
            (ROOT / "var" / "sources").mkdir(parents=True, exist_ok=True)
            changed += [f"migrated {name}" for name in migrate(args.ini)]
            if not args.no_demo:
                changed += load_demo(args.ini)
    except BootstrapError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for line in changed:
        log(line)
    took = time.monotonic() - started
    log(
        f"bootstrap: {len(changed)} change(s) in {took:.1f} s"
        if changed
        else f"bootstrap: nothing to do ({took:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
