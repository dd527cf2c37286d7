#!/bin/sh
# Writes $CKAN_INI from the environment, then runs the container's command.
#  - CKAN's own variables (CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, CKAN_REDIS_URL,
#    CKAN_SITE_URL, CKAN_STORAGE_PATH, CKAN_DATASTORE_*, CKAN_SITE_ID) are read
#    by CKAN itself at start-up;
#  - every CKAN___<OPTION> variable sets a config option: the name after the
#    three underscores, lower-cased, with "__" standing for "." (for example
#    CKAN___SCHEMING__DATASET_SCHEMAS sets scheming.dataset_schemas); Flask's
#    undotted options keep their case (CKAN___SECRET_KEY sets SECRET_KEY).
# Only the web container (CKAN_RUN_MIGRATIONS=true) migrates the database.
set -eu

if [ ! -f "$CKAN_INI" ]; then
    ckan generate config "$CKAN_INI"
fi
settings=$(env | sed -n 's/^CKAN___\([^=]*\)=\(.*\)$/\1=\2/p' | while IFS='=' read -r key value; do
    option=$(printf '%s' "$key" | sed 's/__/./g')
    case "$option" in *.*) option=$(printf '%s' "$option" | tr 'A-Z' 'a-z') ;; esac
    printf '%s=%s\n' "$option" "$value"
done)
if [ -n "$settings" ]; then
    # one option a line, values may hold spaces
    echo "$settings" | while IFS= read -r line; do ckan config-tool "$CKAN_INI" "$line"; done
fi

if [ "${CKAN_RUN_MIGRATIONS:-false}" = "true" ]; then
    until pg_isready -d "$CKAN_SQLALCHEMY_URL" >/dev/null 2>&1; do sleep 1; done
    ckan -c "$CKAN_INI" db upgrade
    ckan -c "$CKAN_INI" db upgrade -p harvest
fi
exec "$@"
