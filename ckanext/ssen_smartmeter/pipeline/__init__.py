"""Pure aggregation pipeline: raw half-hourly reads to privacy-safe files.

Imports nothing from CKAN; the harvester and the ``ssen-smartmeter`` command
line call the same code.
"""
