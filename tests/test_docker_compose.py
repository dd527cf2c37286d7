"""The production compose file, checked without a Docker engine.

Every service it needs exists and is wired; every variable it interpolates
is in .env.example; every ``CKAN_*`` variable is one CKAN reads itself or a
``CKAN___<OPTION>`` whose option is declared by CKAN or a loaded plugin.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ckan.plugins as p
import pytest
import yaml
from ckan.common import config_declaration
from ckan.config.environment import CONFIG_FROM_ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
ENTRYPOINT_VARS = {"CKAN_INI", "CKAN_RUN_MIGRATIONS"}
# ckanext-scheming 3.1 declares none of its options; these are the ones we set
UNDECLARED_UPSTREAM = {"scheming.dataset_schemas", "scheming.presets"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "docker-compose.yml").read_text())


def _env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (DOCKER / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {k: v for k, v in pairs}


def _ckan_env(compose: dict[str, Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for service in compose["services"].values():
        if "ckan" in str(service.get("image", "")) and "solr" not in str(service["image"]):
            env.update(service.get("environment") or {})
    return env


def _option(var: str) -> str:
    """Same rule as docker/entrypoint.sh: dotted options are lower-cased,
    Flask's undotted ones (SECRET_KEY) keep their case."""
    key = var.removeprefix("CKAN___").replace("__", ".")
    return key.lower() if "." in key else key


def test_every_service_of_the_stack_is_there(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {
        "db",
        "solr",
        "redis",
        "ckan",
        "harvest-gather",
        "harvest-fetch",
        "harvest-scheduler",
    }
    assert services["harvest-gather"]["command"] == ["ckan", "harvester", "gather-consumer"]
    assert services["harvest-fetch"]["command"] == ["ckan", "harvester", "fetch-consumer"]
    assert "ckan harvester run" in " ".join(services["harvest-scheduler"]["command"])
    assert _env_example()["CKAN_SOLR_IMAGE"].startswith("ckan/ckan-solr:")
    assert "solr9" in _env_example()["CKAN_SOLR_IMAGE"]


def test_dependencies_and_volumes_are_declared(compose: dict[str, Any]) -> None:
    services, volumes = compose["services"], set(compose["volumes"])
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            assert dep in services, f"{name} depends on unknown {dep}"
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith(("./", "/")):
                assert (DOCKER / source).exists(), f"{name} mounts missing {source}"
            elif not source.startswith("${"):
                assert source in volumes, f"{name} uses undeclared volume {source}"


def test_every_interpolated_variable_is_in_env_example() -> None:
    text = (DOCKER / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)\}", text))
    assert used and used <= set(_env_example()), used - set(_env_example())


def test_dockerfile_copies_only_what_exists() -> None:
    for line in (DOCKER / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), src


@pytest.mark.usefixtures("with_plugins")
def test_ckan_variables_map_to_declared_options(compose: dict[str, Any]) -> None:
    env = _ckan_env(compose)
    assert env["CKAN_SOLR_URL"] == "http://solr:8983/solr/ckan"
    core_vars = set(CONFIG_FROM_ENV_VARS.values())
    unknown = []
    for var in env:
        if not var.startswith("CKAN_") or var in core_vars | ENTRYPOINT_VARS:
            continue
        option = _option(var)
        if option in UNDECLARED_UPSTREAM:
            continue
        if not var.startswith("CKAN___") or option not in config_declaration:
            unknown.append(var)
    assert unknown == []


def test_plugins_are_installed_and_solr_is_the_search_engine(compose: dict[str, Any]) -> None:
    env = _ckan_env(compose)
    plugins = env["CKAN___CKAN__PLUGINS"].split()
    assert "ssen_search" not in plugins
    assert set(env["CKAN___CKAN__VIEWS__DEFAULT_VIEWS"].split()) <= set(plugins)
    for name in plugins:
        assert p.load(name) is not None, name
    p.unload_all()
