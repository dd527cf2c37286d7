"""DCAT / Dublin Core export of a smart meter dataset (.rdf, .ttl, .jsonld).

The profile is registered as a real ``ckan.rdf.profiles`` entry point: until
setup.py carries it, a throw-away ``*.dist-info`` on sys.path declares it.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from ckan.tests import helpers
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from . import data

DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SSEN = Namespace("https://example.invalid/ckanext-ssen/ns#")
EU = "http://publications.europa.eu/resource/authority/"
PROFILE = "ssen_smartmeter"


@pytest.fixture(scope="module")
def profile_entry_point(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    registered = importlib.metadata.entry_points(group="ckan.rdf.profiles", name=PROFILE)
    if registered:
        yield
        return
    root = tmp_path_factory.mktemp("entry_points")
    info = root / "ssen_smartmeter_dcat_test-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ssen-smartmeter-dcat-test\nVersion: 0\n"
    )
    (info / "entry_points.txt").write_text(
        "[ckan.rdf.profiles]\n"
        f"{PROFILE} = ckanext.ssen_smartmeter.dcat_profile:SsenSmartMeterProfile\n"
    )
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    yield
    sys.path.remove(str(root))
    importlib.invalidate_caches()


@pytest.fixture
def dcat_profiles(profile_entry_point, ckan_config, monkeypatch) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.dcat.rdf.profiles", f"euro_dcat_ap_2 {PROFILE}")


pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "dcat_profiles")


@pytest.fixture
def dataset(sysadmin: dict[str, Any], org: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"])
    )


def _graph(app, name: str, ext: str, fmt: str) -> Graph:
    response = app.get(f"/dataset/{name}.{ext}")
    assert response.status_code == 200, response.body[:500]
    return Graph().parse(data=response.body, format=fmt)


def _dataset_ref(graph: Graph) -> URIRef:
    (ref,) = list(graph.subjects(RDF.type, DCAT.Dataset))
    return ref


def test_turtle_export_maps_our_fields(app, dataset):
    g = _graph(app, dataset["name"], "ttl", "turtle")
    ref = _dataset_ref(g)
    assert g.value(ref, DCT.title) == Literal("Smart meter consumption, LV feeder, 2024-02")
    assert list(g.objects(ref, DCT.accrualPeriodicity)) == [URIRef(EU + "frequency/DAILY")]
    assert list(g.objects(ref, DCT.language)) == [URIRef(EU + "language/ENG")]
    assert list(g.objects(ref, DCT.accessRights)) == [URIRef(EU + "access-right/PUBLIC")]
    assert URIRef("http://purl.org/dc/dcmitype/Dataset") in set(g.objects(ref, DCT.type))
    assert Literal("https://doi.org/10.5281/zenodo.1234567") in set(g.objects(ref, DCT.identifier))
    assert Literal("Data Communications Company") in set(g.objects(ref, DCT.contributor))
    assert g.value(ref, DCT.publisher) is not None
    assert g.value(ref, DCT.license) == URIRef("http://www.opendefinition.org/licenses/cc-by")
    assert str(g.value(ref, DCT.rights)) == "Creative Commons Attribution"

    periods = [p for p in g.objects(ref, DCT.temporal) if g.value(p, DCAT.startDate)]
    assert [(g.value(p, DCAT.startDate), g.value(p, DCAT.endDate)) for p in periods] == [
        (Literal("2024-02-01", datatype=XSD.date), Literal("2024-02-29", datatype=XSD.date))
    ]
    areas = [loc for loc in g.objects(ref, DCT.spatial) if g.value(loc, SSEN.licenceArea)]
    assert [str(g.value(loc, SSEN.licenceArea)) for loc in areas] == ["SHEPD"]
    assert len(list(g.objects(ref, DCT.spatial))) == 1  # one place, with its geometry
    assert g.value(areas[0], LOCN.geometry) is not None

    assert {str(a) for a in g.objects(ref, DCT.audience)} == {
        "academia_research",
        "local_government",
    }
    assert {str(m) for m in g.objects(ref, SSEN.measure)} == {"active_import", "reactive_import"}
    assert g.value(ref, SSEN.privacyThreshold) == Literal(5, datatype=XSD.integer)
    assert g.value(ref, SSEN.aggregationLevel) == Literal("lv_feeder")
    assert g.value(ref, SSEN.sensitivityClass) == Literal("IB1-O")
    assert URIRef("http://open-energy.registry.ib1.org") in set(g.objects(ref, DCT.conformsTo))


def test_distribution_carries_period_checksum_and_table_schema(app, dataset):
    g = _graph(app, dataset["name"], "rdf", "xml")
    ref = _dataset_ref(g)
    (dist,) = list(g.objects(ref, DCAT.distribution))
    checksum = g.value(dist, SPDX.checksum)
    assert str(g.value(checksum, SPDX.checksumValue)) == "a" * 64
    schema = json.loads(str(g.value(dist, SSEN.tableSchema)))
    assert len(schema["fields"]) == 17
    assert g.value(dist, SSEN.cellsSuppressedP1) == Literal(3, datatype=XSD.integer)
    (period,) = list(g.objects(dist, DCT.temporal))
    assert str(g.value(period, DCAT.startDate)) == "2024-02-12"


def test_jsonld_export_parses(app, dataset):
    g = _graph(app, dataset["name"], "jsonld", "json-ld")
    ref = _dataset_ref(g)
    assert list(g.objects(ref, DCT.accrualPeriodicity)) == [URIRef(EU + "frequency/DAILY")]


def test_catalog_export_lists_the_dataset_with_our_terms(app, dataset):
    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    g = Graph().parse(data=response.body, format="turtle")
    ref = _dataset_ref(g)
    assert str(g.value(ref, DCT.title)) == "Smart meter consumption, LV feeder, 2024-02"
    assert list(g.objects(ref, DCT.accrualPeriodicity)) == [URIRef(EU + "frequency/DAILY")]
