#!/usr/bin/env bash
# `make docs`: the collection's documentation site in docs/build/html (offline).
#
# antsibull-docs renders the module pages and the guides of docs/docsite/ from the collection as
# ansible-core finds it (ANSIBLE_COLLECTIONS_PATH; the Makefile points it at the checkout), then
# Sphinx builds HTML with warnings as errors. Configuration: docs/sphinx/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/docs/build"

rm -rf "$BUILD"
mkdir -p "$BUILD/rst"
chmod 700 "$BUILD/rst"  # antsibull-docs wants its output directory writable only by itself

antsibull-docs --config-file "$ROOT/docs/sphinx/antsibull-docs.cfg" \
    collection --use-current --squash-hierarchy --fail-on-error \
    --dest-dir "$BUILD/rst" camfleet.hikvision

sphinx-build -q -b html -W --keep-going -c "$ROOT/docs/sphinx" -d "$BUILD/doctrees" \
    "$BUILD/rst" "$BUILD/html"
echo "Documentation: $BUILD/html/index.html"
