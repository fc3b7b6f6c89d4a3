#!/bin/sh
# Print the path of the first working interpreter among the versions given
# (e.g. `tools/find_python.sh 3.13 3.12`), or nothing if there is none.
# Looks for pythonX.Y on PATH (a pyenv shim for a version that is not active
# fails to run, so each candidate is run once), then among pyenv's versions.
for version in "$@"; do
    candidate=$(command -v "python$version" 2>/dev/null || true)
    if [ -n "$candidate" ] && "$candidate" -c 'import sys, venv' >/dev/null 2>&1; then
        echo "$candidate"
        exit 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        for installed in $(pyenv versions --bare 2>/dev/null | grep -E "^$version(\.[0-9]+)?$" | sort -t. -k3 -n -r); do
            candidate=$(PYENV_VERSION=$installed pyenv which "python$version" 2>/dev/null || true)
            if [ -n "$candidate" ] && "$candidate" -c 'import sys, venv' >/dev/null 2>&1; then
                echo "$candidate"
                exit 0
            fi
        done
    fi
done
exit 0
