# Sourced by the scripts that keep Python tools in a git-ignored venv (fuzz, models, S3).
# ensure_venv DIR: makes the venv at DIR unless it is there, installing Debian's python3-venv
# first when the interpreter lacks the venv module.
ensure_venv() {
  [ -x "$1/bin/python" ] && return 0
  python3 -m venv "$1" 2>/dev/null || { apt-get install -y -q python3-venv >/dev/null && python3 -m venv "$1"; }
}
