#!/usr/bin/env bash
# Print the path of the newest CPython X.Y with MIN <= X.Y <= MAX on this machine (MAX defaults
# to no limit): interpreters on PATH first, then versions installed with pyenv under
# `pyenv root`. On a tie the one found first (PATH) wins. Each candidate is run, so a pyenv shim
# for a version that is not selected, or a Python without venv/ensurepip, does not count.
# When none fits, say what to install and exit 1.
#   scripts/find_python.sh 3.12        -> newest 3.12+
#   scripts/find_python.sh 3.12 3.12   -> newest 3.12.x
set -euo pipefail
MIN="${1:?usage: find_python.sh MIN [MAX]}"
MAX="${2:-99.99}"

key() { local IFS=.; set -- $1; printf '%03d%03d' "$1" "$2"; }
lo=$(key "$MIN"); hi=$(key "$MAX")

candidates() {
    local dir name
    IFS=: read -r -a dirs <<<"${PATH:-}"
    for dir in "${dirs[@]}"; do
        for name in python3 "$dir"/python3.[0-9] "$dir"/python3.[0-9][0-9]; do
            case "$name" in
                python3) [ -x "$dir/python3" ] && echo "$dir/python3" ;;
                *) [ -x "$name" ] && echo "$name" ;;
            esac
        done
    done
    # (pyenv's own default root when pyenv itself is not on PATH, e.g. under `make` from cron)
    local root="${PYENV_ROOT:-$HOME/.pyenv}"
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root 2>/dev/null || echo "$root")"
    fi
    for name in "$root"/versions/*/bin/python3; do
        [ -x "$name" ] && echo "$name"
    done
    return 0
}

best="" best_key=""
while read -r exe; do
    # CPython only, with a working venv + ensurepip (Debian splits them into python3-venv).
    info="$("$exe" -c 'import sys, venv, ensurepip
if sys.implementation.name == "cpython":
    print("%d.%d.%d %s" % (sys.version_info[:3] + (sys.executable,)))' 2>/dev/null)" || continue
    [ -n "$info" ] || continue
    version="${info%% *}" path="${info#* }"
    k=$(key "$version")
    if [ "$k" -ge "$lo" ] && [ "$k" -le "$hi" ]; then
        patch="${version##*.}"
        full="$k$(printf '%03d' "$patch")"
        if [ -z "$best_key" ] || [ "$full" -gt "$best_key" ]; then
            best="$path" best_key="$full"
        fi
    fi
done < <(candidates)

if [ -z "$best" ]; then
    want="CPython $MIN or newer"
    [ "$MAX" != "99.99" ] && want="CPython $MIN${MAX:+ (up to $MAX)}"
    [ "$MIN" = "$MAX" ] && want="CPython $MIN"
    {
        echo "No $want found on PATH or among pyenv's versions."
        echo "Install one, e.g. 'pyenv install $MIN' (or your system's python$MIN with its venv"
        echo "module, e.g. 'apt-get install python$MIN-venv'), and run make again."
        echo "(For .venv, 'make setup PYTHON=/path/to/python3.x' names one outright.)"
    } >&2
    exit 1
fi
echo "$best"
