#!/usr/bin/env bash
# `make sanity`: ansible-test sanity on the collection exactly as it ships, without Docker.
#
# Builds the collection (galaxy.yml build_ignore leaves the emulator, tests and tooling out),
# installs the tarball into a scratch ansible_collections/camfleet/hikvision, makes that a git
# tree (ansible-test lists files with git) and runs ansible-test sanity there with the Python of
# the venv on PATH (.venv, or a compatibility venv: `make compat`), or $SANITY_PYTHON.
# ansible-test puts each sanity tool, at the versions ansible-core pins, into its own cached
# virtualenv under ~/.ansible/test/venv from the package index. Extra arguments go to
# ansible-test, e.g. `scripts/sanity.sh --test validate-modules`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY_VERSION="${SANITY_PYTHON:-$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/camfleet-sanity.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Only the scratch install is visible to ansible-galaxy and ansible-test, never the checkout.
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
quiet() { "$@" >"$WORK/step.log" 2>&1 || { cat "$WORK/step.log"; exit 1; }; }
quiet ansible-galaxy collection build --output-path "$WORK/dist" "$ROOT"
quiet ansible-galaxy collection install --no-deps --offline -p "$WORK/collections" "$WORK"/dist/*.tar.gz
COLL="$WORK/collections/ansible_collections/camfleet/hikvision"
git -C "$COLL" init -q
git -C "$COLL" add -A

# ansible-test bootstraps pip into its virtualenvs with a get-pip.py it downloads from its own
# file server, which is not reachable here; hand it our stand-in unless a real one is cached.
PIP_VERSION="$(python - <<'PY'
import re, ansible_test, os
src = open(os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')).read()
print(re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", src).group(1))
PY
)"
CACHE="$HOME/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py"
if [ ! -s "$CACHE" ] || grep -q "Stand-in for the get-pip.py" "$CACHE"; then
    mkdir -p "$(dirname "$CACHE")"
    cp "$ROOT/scripts/ansible_test_get_pip.py" "$CACHE"
fi

cd "$COLL"
# (the machine's pip configuration names optional local indexes; drop pip's notes about them)
set +e
ansible-test sanity --local --python "$PY_VERSION" --color no "$@" 2>&1 \
    | grep --line-buffered -v -E "^WARNING: Location '[^']*' is ignored"
status=${PIPESTATUS[0]}
exit "$status"
