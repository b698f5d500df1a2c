#!/usr/bin/env bash
# Installs what the web console's browser test needs: Chromium and its WebDriver (apt `chromium`,
# `chromium-driver`) and Selenium in a git-ignored venv (.venv-browser, or $BROWSER_VENV). The
# test drives Chromium through the chromedriver named here, so Selenium Manager never runs (it
# would try to download a driver and send usage statistics). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  SUDO=
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "install-browser-deps: installing chromium chromium-driver" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
ensure_packages "${BROWSER_VENV:-.venv-browser}" "import selenium; assert selenium.__version__ == '4.50.0'" "selenium==4.50.0"
