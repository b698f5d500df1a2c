#!/usr/bin/env bash
# Installs the system packages VideoGenX needs (Debian/Ubuntu): ffmpeg (encoder and ffprobe),
# libsqlite3-dev (GRDB links the system SQLite), PostgreSQL's server (the tests start a throwaway
# cluster through scripts/with-postgres.sh), Redis's server (scripts/with-redis.sh), fontconfig and a CJK font (Noto Sans CJK) for
# subtitles, GNU time (peak-RSS measurements in docs/benchmarks.md), and Prometheus with
# promtool and Alertmanager with amtool (the observability tests check deploy/ with them and
# scrape a live server; none is started as a system service). Safe to run repeatedly: it only
# installs what is missing.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
[ -x /usr/bin/time ] || missing+=(time)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
# The PostgreSQL store's tests run against a real server (never started as a system service here).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# Redis: the shared cache's tests start a throwaway server (scripts/with-redis.sh); the
# package's own service is stopped if the install started it.
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Subtitles: fontconfig resolves font names (fc-match) and a CJK font must be installed.
command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    missing+=(fonts-noto-cjk)
fi

# Observability: promtool/prometheus and amtool/alertmanager.
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 && command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
else
    SUDO=
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# A package install may start Redis as a system service (where there is an init to start it):
# stop it, nothing here uses it and the tests start their own.
if [[ " ${missing[*]} " == *" redis-server "* ]]; then
    $SUDO service redis-server stop >/dev/null 2>&1 || true
fi
