#!/usr/bin/env bash
# Quick start, step 2: the whole test suite (ruff, then pytest with CKAN's
# plugin). Sets up what the tests need first, as scripts/setup.sh does.
#   scripts/test.sh [pytest args...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_machine
"$VENV/bin/python" "$ROOT/scripts/bootstrap.py" --test-only
# browser tests drive Debian's Chromium (never a downloaded one)
command -v chromium >/dev/null 2>&1 || apt_install chromium
cd "$ROOT"
if [ -f package-lock.json ]; then
    command -v npm >/dev/null 2>&1 || apt_install npm
    [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --silent --no-audit --no-fund
fi
say "ruff check, ruff format --check"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "pytest"
exec "$VENV/bin/pytest" --ckan-ini=test.ini "$@"
