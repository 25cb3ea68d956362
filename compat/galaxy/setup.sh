#!/usr/bin/env bash
# Creates the virtualenv that holds Galaxy 21.09's own Python packages, for check_handlers.py.
#
# The venv lives at $ZERGCFG_GALAXY_VENV, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/zergcfg/galaxy-21.09-venv.
# Galaxy 21.09 supports Python 3.6 to 3.9 only, so the interpreter is the newest pyenv-installed
# 3.9 ($HOME/.pyenv/versions/3.9.N, N compared as a number), or the one named by
# ZERGCFG_GALAXY_PYTHON. requirements.txt names what to install and constraints.txt pins every
# other package to the version a working install had, so a fresh venv holds the same set. A venv
# whose stamp matches both files is complete and left alone, so running this again costs nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"
constraints="$here/constraints.txt"
venv="${ZERGCFG_GALAXY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/zergcfg/galaxy-21.09-venv}"
stamp="$venv/.zergcfg-requirements.sha256"

want="$(cat "$requirements" "$constraints" | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "setup.sh: Galaxy 21.09 venv already complete at $venv"
    exit 0
fi

# Pick the newest pyenv 3.9 unless the caller names an interpreter: the glob sorts 3.9.9 after
# 3.9.18, so the versions are sorted as numbers.
python="${ZERGCFG_GALAXY_PYTHON:-}"
if [[ -z "$python" ]]; then
    python="$(
        for candidate in "$HOME"/.pyenv/versions/3.9.*/bin/python; do
            if [[ -x "$candidate" && "$candidate" =~ /3\.9\.[0-9]+/bin/python$ ]]; then
                echo "$candidate"
            fi
        done | sort -V | tail -n 1
    )"
fi
if [[ -z "$python" || ! -x "$python" ]]; then
    echo "setup.sh: no Python 3.9 found at $HOME/.pyenv/versions/3.9.*/bin/python" >&2
    echo "setup.sh: Galaxy 21.09 needs Python 3.9 or older; install one with pyenv" >&2
    echo "setup.sh: or set ZERGCFG_GALAXY_PYTHON to a 3.9 interpreter" >&2
    exit 2
fi
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$version" != "3.9" ]]; then
    echo "setup.sh: $python is Python $version, Galaxy 21.09 needs 3.9" >&2
    exit 2
fi

# A half-built venv from an interrupted run is rebuilt from scratch rather than patched.
echo "setup.sh: creating $venv with $python (takes a few minutes)"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
# Lines above the marker go through pip's resolver, held to constraints.txt; lines below it
# override what the published metadata allows, so they are installed afterwards without their
# dependencies and without the constraints.
marker='# --no-deps overrides'
resolved="$venv/requirements-resolved.txt"
sed "/^$marker\$/,\$d" "$requirements" >"$resolved"
mapfile -t overrides < <(
    sed -n "/^$marker\$/,\$p" "$requirements" \
        | grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' || true
)
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" -r "$resolved" -c "$constraints"
if ((${#overrides[@]})); then
    "${pip[@]}" --no-deps "${overrides[@]}"
fi

echo "$want" >"$stamp"
echo "setup.sh: Galaxy 21.09 venv ready at $venv"
