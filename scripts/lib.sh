# Shared by scripts/setup.sh and scripts/test.sh: machine checks, services,
# virtual environment. Sourced, not run. Every step is idempotent.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3.11}"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=""
apt_install() {
    # apt_install PKG... : installs missing Debian packages (root only)
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    is_root || die "missing Debian packages: ${missing[*]}. Run as root, or: sudo apt-get install ${missing[*]}"
    if [ -z "$APT_UPDATED" ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
        APT_UPDATED=1
    fi
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
}

check_python() {
    command -v "$PY" >/dev/null 2>&1 || PY=python3
    command -v "$PY" >/dev/null 2>&1 || die "Python 3.11 not found (install python3.11 and python3.11-venv)"
    local v
    v="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    [ "$v" = "3.11" ] || die "Python 3.11 is required (CKAN 2.12 pins), found $v at $(command -v "$PY")"
    "$PY" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_postgres() {
    if port_open 5432; then return 0; fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt_install postgresql
    fi
    local ver
    ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
    [ -n "$ver" ] || die "PostgreSQL is installed but has no cluster in /etc/postgresql"
    is_root || die "PostgreSQL is not running on 127.0.0.1:5432 and starting it needs root: sudo pg_ctlcluster $ver main start"
    say "starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || die "could not start PostgreSQL $ver"
    for _ in $(seq 1 30); do port_open 5432 && return 0; sleep 0.5; done
    die "PostgreSQL $ver started but 127.0.0.1:5432 does not answer (check listen_addresses)"
}

ensure_redis() {
    if port_open 6379; then return 0; fi
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    is_root || die "Redis is not running on 127.0.0.1:6379 and starting it needs root"
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ssen.log >/dev/null \
        || die "could not start redis-server"
    for _ in $(seq 1 30); do port_open 6379 && return 0; sleep 0.2; done
    die "Redis started but 127.0.0.1:6379 does not answer"
}

ensure_system_packages() {
    # psycopg2 builds from source: it needs pg_config and the compiler
    command -v pg_config >/dev/null 2>&1 || apt_install libpq-dev
    command -v gcc >/dev/null 2>&1 || apt_install gcc
    "$PY" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
        || apt_install python3-dev
}

ensure_venv() {
    # (Re)installs only when setup.py changed since the last install.
    local stamp="$VENV/.ssen-installed" want
    want="$(cat "$ROOT/setup.py" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
    if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating the virtual environment in .venv"
        "$PY" -m venv "$VENV" || die "could not create $VENV"
    fi
    say "installing the suite and its pinned dependencies into .venv (a few minutes the first time)"
    "$VENV/bin/pip" install -q --disable-pip-version-check -U pip setuptools wheel \
        || die "pip could not upgrade itself"
    "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[test]" \
        || die "pip install -e .[test] failed (see the messages above)"
    echo "$want" > "$stamp"
}

ensure_machine() {
    check_python
    ensure_system_packages
    ensure_postgres
    ensure_redis
    ensure_venv
}
