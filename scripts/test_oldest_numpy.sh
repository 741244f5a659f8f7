#!/usr/bin/env bash
# The fast lane (`scripts/test.sh --fast`'s tests) on the oldest numpy that
# pyproject.toml allows, in a virtual environment of its own: the main run
# tests the newest numpy, and users with an older one get the floor's
# promise. pip picks the floor's last patch release and, for everything else,
# the newest versions that work with it. Octave is used as in the main run.
#   bash scripts/test_oldest_numpy.sh [pytest arguments, default: tests]   (PYTHON=... to choose)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
say() { printf '[oldest numpy] %s\n' "$*"; }
floor=$(sed -n 's/^ *"numpy>=\([0-9][0-9.]*\)".*/\1/p' "$root/pyproject.toml" | head -1)
[ -n "$floor" ] || { say "FAILED: no \"numpy>=...\" line in pyproject.toml" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pybridge-oldest-numpy.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$py" -m venv "$work/venv"
vpy="$work/venv/bin/python"
say "installing torch 2.13.0 (CPU), numpy $floor.* and pybridge[ml,dask,test] into $work/venv"
"$vpy" -m pip install --quiet "torch==2.13.0" >"$work/pip.log" 2>&1 \
    && "$vpy" -m pip install --quiet "numpy==$floor.*" -e "$root[ml,dask,test]" >>"$work/pip.log" 2>&1 \
    || { cat "$work/pip.log" >&2; say "FAILED: pip could not install pybridge with numpy $floor" >&2; exit 1; }
say "$("$vpy" -c 'import numpy, scipy, torch; print(f"numpy {numpy.__version__}, scipy {scipy.__version__}, torch {torch.__version__}")')"
cd "$root"
[ "$#" -gt 0 ] || set -- tests   # not pybridge's doctests: numpy 1.x prints scalars differently
. scripts/_pytest.sh
MPLBACKEND=Agg HYPOTHESIS_PROFILE=dev pb_pytest "$vpy" -q -m "not slow" -p no:cacheprovider "$@"
