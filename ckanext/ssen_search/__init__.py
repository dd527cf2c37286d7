"""A PostgreSQL search backend for CKAN: the catalogue without Solr."""
