"""ckanext-ssen: smart meter data, data roadmap and PostgreSQL search for CKAN 2.12."""

from __future__ import annotations

from setuptools import find_namespace_packages, setup

INSTALL_REQUIRES = [
    # plain ``ckan`` installs no dependencies: they all sit in this extra
    "ckan[requirements]==2.12.0",
    "ckanext-scheming==3.1.0",
    "ckanext-harvest==1.6.3",
    "ckanext-dcat==2.4.4",
    "duckdb==2.0.0",
    "pyarrow==26.0.1",
    "pandas==3.1.1",
    "psycopg2==2.9.12",
    "luqum==1.0.0",
    "ftfy==6.3.1",
    "icalendar==7.3.0",
    "psutil==7.2.2",
]

TEST_REQUIRES = [
    "pytest==9.2.0",
    "hypothesis==6.170.15",
    "ruff==0.17.6",
    "playwright==1.65.2",
    "feedparser==6.0.14",
    "factory_boy==3.3.3",
    "pytest-factoryboy==2.8.1",
    "responses==0.26.3",
    "freezegun==1.5.5",
    "beautifulsoup4==4.15.0",
]

setup(
    name="ckanext-ssen",
    version="0.1.0",
    description=__doc__,
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11,<3.12",
    packages=[*find_namespace_packages(include=["ckanext.*"]), "ckanext.ssen_smartmeter.schemas"],
    # the scheming YAML lives in the top-level schemas/ folder and ships as
    # the package ckanext.ssen_smartmeter.schemas, so that
    # ``ckanext.ssen_smartmeter.schemas:smart_meter.yaml`` loads from an
    # editable install and from a wheel alike
    package_dir={"ckanext.ssen_smartmeter.schemas": "schemas"},
    include_package_data=True,
    package_data={
        "": [
            "*.yaml",
            "*.yml",
            "*.json",
            "*.md",
            "*.ini",
            "templates/**/*",
            "assets/**/*",
            "public/**/*",
            "migration/**/*",
        ],
    },
    zip_safe=False,
    install_requires=INSTALL_REQUIRES,
    extras_require={"test": TEST_REQUIRES},
    entry_points={
        "ckan.plugins": [
            "ssen_smartmeter = ckanext.ssen_smartmeter.plugin:SsenSmartmeterPlugin",
            "ssen_smartmeter_harvester = "
            "ckanext.ssen_smartmeter.harvest.harvester:SmartMeterHarvester",
            "ssen_roadmap = ckanext.ssen_roadmap.plugin:SsenRoadmapPlugin",
            "ssen_search = ckanext.ssen_search.plugin:SsenSearchPlugin",
        ],
        "ckan.rdf.profiles": [
            "ssen_smartmeter = ckanext.ssen_smartmeter.dcat_profile:SsenSmartMeterProfile",
        ],
        "console_scripts": [
            "ssen-smartmeter = ckanext.ssen_smartmeter.pipeline.cli:main",
        ],
    },
)
