#!/bin/sh
# Runs once, when the PostgreSQL volume is first created.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE ckan_default LOGIN PASSWORD '${CKAN_DB_PASSWORD}';
CREATE ROLE datastore_default LOGIN PASSWORD '${DATASTORE_READONLY_PASSWORD}';
CREATE DATABASE ckan_default OWNER ckan_default ENCODING 'UTF8';
CREATE DATABASE datastore_default OWNER ckan_default ENCODING 'UTF8';
SQL
