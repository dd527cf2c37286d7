#!/usr/bin/env bash
# Quick start, step 1: set up everything and serve the catalogue with demo data
# at http://127.0.0.1:5000. Idempotent: a second run only starts the server.
#   scripts/setup.sh [--no-serve] [--no-demo] [--port N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVE=1; BOOT_ARGS=(); PORT=5000
while [ $# -gt 0 ]; do
    case "$1" in
        --no-serve) SERVE=0 ;;
        --no-demo) BOOT_ARGS+=(--no-demo) ;;
        --port) PORT="$2"; BOOT_ARGS+=(--port "$2"); shift ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done

say "checking the machine (Python 3.11, PostgreSQL, Redis, .venv)"
ensure_machine
say "databases, ckan.ini, migrations, demo content"
"$VENV/bin/python" "$ROOT/scripts/bootstrap.py" "${BOOT_ARGS[@]}"

cat >&2 <<MSG

  Catalogue:  http://127.0.0.1:$PORT
  Sysadmin:   admin / ssen-demo-2026
  Config:     $ROOT/ckan.ini
MSG
[ "$SERVE" = 1 ] || exit 0
if port_open "$PORT"; then
    if curl -fsS "http://127.0.0.1:$PORT/api/3/action/status_show" >/dev/null 2>&1; then
        die "port $PORT already serves a CKAN (is scripts/setup.sh already running?)"
    fi
    die "port $PORT is taken by another program: stop it or use --port N"
fi
say "serving on http://127.0.0.1:$PORT (Ctrl-C stops)"
exec "$VENV/bin/ckan" -c "$ROOT/ckan.ini" run --host 127.0.0.1 --port "$PORT" --disable-reloader
