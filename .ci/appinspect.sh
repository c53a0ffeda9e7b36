#!/usr/bin/env bash
# Installs Splunk AppInspect (PyPI splunk-appinspect, pinned with its dependencies in
# appinspect-requirements.txt) into a venv outside the clone, and prints the path of its CLI.
# test/adapters/splunk/appinspect.test.ts runs it on the built app (TIERZERO_APPINSPECT).
# Idempotent: a venv completely installed from the same requirements is reused as it is.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
req="$here/appinspect-requirements.txt"
# One venv per requirements file content, so a version bump installs beside the old one.
hash="$(grep -v '^#' "$req" | sha256sum | cut -c1-12)"
venv="${TIERZERO_APPINSPECT_HOME:-$HOME/.cache/tierzero-appinspect}/$hash"
bin="$venv/bin/splunk-appinspect"

if [ -x "$bin" ] && [ -f "$venv/.complete" ]; then
  echo "$bin"
  exit 0
fi

# Debian's python3 (not a pyenv shim): python-magic needs libmagic1, venv needs python3-venv.
py=/usr/bin/python3
if ! { [ -x "$py" ] && "$py" -c 'import venv, ensurepip' && ldconfig -p | grep -q 'libmagic\.so\.1'; } >/dev/null 2>&1; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv libmagic1 >&2
fi

rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$py" -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$req" >&2
"$bin" list version >/dev/null
touch "$venv/.complete"
echo "$bin"
