# Sourced by the scripts that keep Python tools in a git-ignored venv (fuzz, models, S3).
# ensure_venv DIR: makes the venv at DIR unless it is there, installing Debian's python3-venv
# first when the interpreter lacks the venv module.
ensure_venv() {
  [ -x "$1/bin/python" ] && return 0
  python3 -m venv "$1" 2>/dev/null || { apt-get install -y -q python3-venv >/dev/null && python3 -m venv "$1"; }
}

# ensure_packages DIR CHECK PACKAGE...: the venv at DIR (made if missing), with PACKAGE... pip-installed
# unless `python -c CHECK` already succeeds there (pinned versions: CHECK asserts them).
ensure_packages() {
  local venv=$1 check=$2
  shift 2
  ensure_venv "$venv"
  "$venv/bin/python" -c "$check" 2>/dev/null || "$venv/bin/pip" install -q --disable-pip-version-check "$@"
}
