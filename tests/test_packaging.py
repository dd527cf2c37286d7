"""The scheming YAML in schemas/ loads by its ``module:path`` name from the
editable install (through ckanext-scheming itself) and from a built wheel."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = sorted(p.name for p in (ROOT / "schemas").glob("*.yaml"))

RESOLVE = """
import importlib, os, sys
for ref in sys.argv[1:]:
    module, path = ref.split(":", 1)
    m = importlib.import_module(module)
    print(os.path.join(os.path.dirname(m.__file__), path))
"""


@pytest.mark.usefixtures("with_plugins")
def test_scheming_loads_our_schemas_from_the_editable_install() -> None:
    from ckanext.scheming.helpers import scheming_dataset_schemas

    schemas = scheming_dataset_schemas()
    assert {"smart-meter", "dataset"} <= set(schemas)
    assert schemas["smart-meter"]["dataset_fields"][0]["field_name"] == "title"


@pytest.mark.slow
def test_a_built_wheel_ships_every_schema_at_its_module_path(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("ckanext_ssen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert [
        f"ckanext/ssen_smartmeter/schemas/{n}"
        for n in SCHEMAS
        if f"ckanext/ssen_smartmeter/schemas/{n}" not in names
    ] == []

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    target = env_dir / "lib" / version / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    refs = [f"ckanext.ssen_smartmeter.schemas:{n}" for n in SCHEMAS]
    out = subprocess.run(
        [str(env_dir / "bin" / "python"), "-I", "-c", RESOLVE, *refs],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    shipped = str(target / "ckanext" / "ssen_smartmeter" / "schemas")
    assert [str(Path(p).parent) for p in out] == [shipped] * len(SCHEMAS)
    loaded = {Path(p).name: yaml.safe_load(Path(p).read_text()) for p in out}
    assert loaded["smart_meter.yaml"]["dataset_type"] == "smart-meter"
    assert loaded["dataset.yaml"]["dataset_type"] == "dataset"
    assert loaded["roadmap_presets.yaml"]["presets"]
