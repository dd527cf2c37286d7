"""DCAT / Dublin Core export of smart meter datasets (a ckanext-dcat profile).

Use it after a DCAT-AP profile, e.g. ``ckanext.dcat.rdf.profiles =
euro_dcat_ap_2 ssen_smartmeter``: the base profile writes the core
(title, description, keywords, publisher, licence, distributions); this one
adds or corrects what our schema knows: temporal and spatial coverage, the
update frequency and language as EU authority URIs, creator, contributor,
DCMI type, DOI, access rights from the triage classification, target
audience, Icebreaker One trust fields, the smart meter specifics, and per
distribution the period, checksum and Frictionless Table Schema.
"""

from __future__ import annotations

import json
from typing import Any

from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    FOAF,
    SKOS,
    SPDX,
    XSD,
    RDFProfile,
)
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

SSEN = Namespace("https://example.invalid/ckanext-ssen/ns#")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
TABLE_SCHEMA_SPEC = URIRef("https://specs.frictionlessdata.io/table-schema/")

FREQUENCY_URIS = {
    "as_needed": EU_FREQUENCY.IRREG,
    "not_planned": EU_FREQUENCY.NEVER,
    "annually": EU_FREQUENCY.ANNUAL,
    "biannually": EU_FREQUENCY.ANNUAL_2,
    "quarterly": EU_FREQUENCY.QUARTERLY,
    "monthly": EU_FREQUENCY.MONTHLY,
    "weekly": EU_FREQUENCY.WEEKLY,
    "daily": EU_FREQUENCY.DAILY,
    "hourly": EU_FREQUENCY.HOURLY,
}
LANGUAGE_URIS = {"en": EU_LANGUAGE.ENG, "cy": EU_LANGUAGE.CYM, "gd": EU_LANGUAGE.GLA}
ACCESS_URIS = {
    "open": EU_ACCESS.PUBLIC,
    "shared": EU_ACCESS.RESTRICTED,
    "closed": EU_ACCESS.NON_PUBLIC,
}
LICENCE_AREA_LABELS = {
    "SHEPD": "Scottish Hydro Electric Power Distribution licence area (north of Scotland)",
    "SEPD": "Southern Electric Power Distribution licence area (central southern England)",
    "both": "SHEPD and SEPD licence areas",
}
SSEN_LITERALS = (
    ("aggregation_level", SSEN.aggregationLevel, None),
    ("licence_area", SSEN.licenceArea, None),
    ("period", SSEN.period, XSD.gYearMonth),
    ("meters_represented", SSEN.metersRepresented, XSD.integer),
    ("privacy_threshold", SSEN.privacyThreshold, XSD.integer),
    ("data_classification", SSEN.dataClassification, None),
    ("ib1_sensitivity_class", SSEN.sensitivityClass, None),
    ("ib1_dataset_assurance", SSEN.datasetAssurance, None),
    ("roadmap_status", SSEN.roadmapStatus, None),
)
RESOURCE_LITERALS = (
    ("row_count", SSEN.rowCount),
    ("units_published", SSEN.unitsPublished),
    ("cells_suppressed_p1", SSEN.cellsSuppressedP1),
    ("cells_suppressed_p2", SSEN.cellsSuppressedP2),
)


class SsenSmartMeterProfile(RDFProfile):
    """Adds the smart meter schema's fields to a DCAT-AP graph."""

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        return dataset_dict

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        if "aggregation_level" not in dataset_dict and "frequency" not in dataset_dict:
            return  # not a dataset of our schema
        g = self.g
        g.bind("ssen", SSEN)
        self._replace(
            dataset_ref,
            DCT.accrualPeriodicity,
            FREQUENCY_URIS.get(dataset_dict.get("frequency") or ""),
            DCT.Frequency,
        )
        self._replace(
            dataset_ref,
            DCT.language,
            LANGUAGE_URIS.get(dataset_dict.get("language") or ""),
            DCT.LinguisticSystem,
        )
        self._replace(
            dataset_ref,
            DCT.accessRights,
            ACCESS_URIS.get(dataset_dict.get("data_classification") or ""),
            DCT.RightsStatement,
        )
        if dataset_dict.get("dcmi_type"):
            self._replace(dataset_ref, DCT.type, DCMITYPE[dataset_dict["dcmi_type"]])
        self._temporal(dataset_dict, dataset_ref)
        self._spatial_coverage(dataset_dict, dataset_ref)
        self._agents(dataset_dict, dataset_ref)
        if dataset_dict.get("license_url") and not list(g.objects(dataset_ref, DCT.license)):
            # Dublin Core "rights" at dataset level (DCAT-AP puts it on distributions)
            g.add((dataset_ref, DCT.license, URIRef(dataset_dict["license_url"])))
        if dataset_dict.get("license_title"):
            g.add((dataset_ref, DCT.rights, Literal(dataset_dict["license_title"])))
        if dataset_dict.get("doi"):
            g.add((dataset_ref, DCT.identifier, Literal(f"https://doi.org/{dataset_dict['doi']}")))
        if dataset_dict.get("date"):
            g.add((dataset_ref, DCT.date, Literal(dataset_dict["date"], datatype=XSD.date)))
        if dataset_dict.get("ib1_trust_framework"):
            g.add((dataset_ref, DCT.conformsTo, URIRef(dataset_dict["ib1_trust_framework"])))
            g.add((dataset_ref, SSEN.trustFramework, URIRef(dataset_dict["ib1_trust_framework"])))
        for audience in _as_list(dataset_dict.get("target_audience")):
            g.add((dataset_ref, DCT.audience, Literal(audience)))
        for measure in _as_list(dataset_dict.get("measures")):
            g.add((dataset_ref, SSEN.measure, Literal(measure)))
        for use_case in (dataset_dict.get("use_cases") or "").splitlines():
            if use_case.strip():
                g.add((dataset_ref, SSEN.useCase, Literal(use_case.strip())))
        for key, predicate, datatype in SSEN_LITERALS:
            value = dataset_dict.get(key)
            if value not in (None, ""):
                g.add((dataset_ref, predicate, Literal(value, datatype=datatype)))
        if dataset_dict.get("is_up_to_date") is not None:
            g.add(
                (
                    dataset_ref,
                    SSEN.isUpToDate,
                    Literal(bool(dataset_dict["is_up_to_date"]), datatype=XSD.boolean),
                )
            )
        if dataset_dict.get("last_data_update"):
            g.add(
                (
                    dataset_ref,
                    SSEN.lastDataUpdate,
                    Literal(dataset_dict["last_data_update"], datatype=XSD.dateTime),
                )
            )
        for resource in dataset_dict.get("resources") or []:
            self._distribution(resource, self._distribution_ref(dataset_ref, resource))

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: Any) -> None:
        self.g.bind("ssen", SSEN)

    # ---- parts
    def _replace(self, subject: Any, predicate: Any, obj: Any, cls: Any = None) -> None:
        if obj is None:
            return
        self.g.remove((subject, predicate, None))
        self.g.add((subject, predicate, obj))
        if cls is not None:
            self.g.add((obj, RDF.type, cls))

    def _temporal(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        start = dataset_dict.get("temporal_coverage_start")
        end = dataset_dict.get("temporal_coverage_end")
        if not (start or end):
            return
        period = BNode()
        self.g.add((dataset_ref, DCT.temporal, period))
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        if start:
            self.g.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
        if end:
            self.g.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))

    def _spatial_coverage(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        """Licence area on the dct:Location the base profile made from
        ``spatial`` / ``spatial_text`` (or on a new one)."""
        area = dataset_dict.get("licence_area")
        if not area:
            return
        location = next(iter(self.g.objects(dataset_ref, DCT.spatial)), None)
        if location is None:
            location = BNode()
            self.g.add((dataset_ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            label = dataset_dict.get("spatial_text") or LICENCE_AREA_LABELS.get(area, area)
            self.g.add((location, SKOS.prefLabel, Literal(label)))
        self.g.add((location, SSEN.licenceArea, Literal(area)))
        self.g.add((location, RDFS.comment, Literal(LICENCE_AREA_LABELS.get(area, area))))

    def _agents(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        if dataset_dict.get("author") and not list(self.g.objects(dataset_ref, DCT.creator)):
            creator = BNode()
            self.g.add((dataset_ref, DCT.creator, creator))
            self.g.add((creator, RDF.type, FOAF.Agent))
            self.g.add((creator, FOAF.name, Literal(dataset_dict["author"])))
            if dataset_dict.get("author_email"):
                self.g.add((creator, FOAF.mbox, URIRef(f"mailto:{dataset_dict['author_email']}")))
        for line in (dataset_dict.get("contributor") or "").splitlines():
            if line.strip():
                self.g.add((dataset_ref, DCT.contributor, Literal(line.strip())))
        for line in (dataset_dict.get("relation") or "").splitlines():
            if line.strip():
                self.g.add((dataset_ref, DCT.relation, Literal(line.strip())))

    def _distribution_ref(self, dataset_ref: Any, resource: dict[str, Any]) -> Any:
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            if str(distribution).endswith(resource.get("id", "\0")):
                return distribution
        return None

    def _distribution(self, resource: dict[str, Any], ref: Any) -> None:
        if ref is None:
            return
        g = self.g
        if resource.get("period_start") or resource.get("period_end"):
            period = BNode()
            g.add((ref, DCT.temporal, period))
            g.add((period, RDF.type, DCT.PeriodOfTime))
            for key, predicate in (("period_start", DCAT.startDate), ("period_end", DCAT.endDate)):
                if resource.get(key):
                    g.add((period, predicate, Literal(resource[key], datatype=XSD.date)))
        if resource.get("sha256") and not list(g.objects(ref, SPDX.checksum)):
            checksum = BNode()
            g.add((ref, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            value = Literal(resource["sha256"], datatype=XSD.hexBinary)
            g.add((checksum, SPDX.checksumValue, value))
        if resource.get("table_schema"):
            schema = resource["table_schema"]
            text = schema if isinstance(schema, str) else json.dumps(schema, sort_keys=True)
            g.add((ref, DCT.conformsTo, TABLE_SCHEMA_SPEC))
            g.add((ref, SSEN.tableSchema, Literal(text)))
        for key, predicate in RESOURCE_LITERALS:
            if resource.get(key) not in (None, ""):
                g.add((ref, predicate, Literal(resource[key], datatype=XSD.integer)))


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    return [str(v) for v in value or []]
