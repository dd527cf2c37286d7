"""Scheming YAML of the suite, shipped as ckanext.ssen_smartmeter.schemas."""
