#!/usr/bin/env bash
# The wheel as a user installs it: build it, install the core (no torch) and
# the octave extra into a fresh virtual environment outside the repository,
# and check that
#   - `pybridge --version` and `pybridge matlab-path` answer,
#   - the folder holds +pybridge/setup.m and the Octave py. (and no tests),
#   - torch is absent, a module that needs it and `pybridge doctor` say
#     `pip install ...[ml]`,
#   - GNU Octave runs pybridge.setup from that folder (finding the venv's
#     Python by itself) and pybridge.dice gives the hand-worked 0.5625,
#   - `pybridge setup-matlab --write octave` writes a ~/.octaverc that works;
#   - the wheel carries the C layout copy (used on x86), and PYBRIDGE_PURE=1
#     builds a py3-none-any wheel without it that installs and converts with
#     numpy, doctor saying so;
#   - with PYBRIDGE_SMOKE_ML=1: the ml extra installs and the MATLAB tour
#     (examples/matlab/tour.m) runs on Octave from the installed folder.
#   bash scripts/smoke_wheel.sh            (uses python3; PYTHON=... to choose)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/pybridge-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
say() { printf '[wheel smoke] %s\n' "$*"; }
fail() { printf '[wheel smoke] FAILED: %s\n' "$*" >&2; exit 1; }

say "building the wheel"
"$py" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$root" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; fail "pip wheel could not build pybridge"; }
rm -rf "$root/build"
wheel=$(ls "$work"/dist/pybridge_lab-*.whl)
say "installing $(basename "$wheel")[octave] into a fresh virtual environment"
"$py" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel[octave]" 2>"$work/pip.log" \
    || { cat "$work/pip.log" >&2; fail "pip install of the wheel failed"; }
export PATH="$work/venv/bin:$PATH"
unset PYTHONPATH PYBRIDGE_PYTHON VIRTUAL_ENV
cd "$work"   # nothing of the repository on any path from here on

pybridge --version | grep -q '^pybridge [0-9]' || fail "pybridge --version"
folder=$(pybridge matlab-path)
say "matlab-path: $folder"
case "$folder" in "$work/venv/"*) ;; *) fail "matlab-path is not inside the fresh venv: $folder" ;; esac
for f in +pybridge/setup.m +pybridge/dice.m +pybridge/+internal/callPython.m octave/py.m legacy/massSegment.m; do
    [ -f "$folder/$f" ] || fail "$f is missing from $folder"
done
[ ! -e "$folder/tests" ] || fail "the .m tests were shipped in the wheel"
if python -c 'import torch' 2>/dev/null; then fail "torch is installed by the core wheel"; fi
python - <<'PY' || fail "the core without torch"
import pybridge, pybridge.dicom, pybridge.metrics, pybridge.engine, pybridge.convert
try:
    import pybridge.classification
except ImportError as err:
    assert "pybridge-lab[ml]" in str(err), err
else:
    raise SystemExit("pybridge.classification imported without torch")
PY
doctor=$(pybridge doctor) || fail "pybridge doctor says the core is broken: $doctor"
echo "$doctor" | grep -q "pip install 'pybridge-lab\[ml\]'" || fail "pybridge doctor does not name the ml extra: $doctor"
# check_layout_copy PYTHON built|pure: a MATLAB stack to C order and back through the
# installed package, and whether its C layout copy is there (used on x86) or not
check_layout_copy() {
    "$1" - "$2" <<'PY'
import platform, sys
import numpy as np
from pybridge import _layout, convert
if sys.argv[1] == "built":
    assert _layout._BUILT is not None, "pybridge._transpose is not in the wheel"
    x86 = platform.machine().lower() in ("x86_64", "amd64", "i686", "i386")
    assert bool(_layout.KERNEL) == x86, (platform.machine(), _layout._BUILT.SIMD)
else:
    assert _layout._BUILT is None and _layout.KERNEL is None, "the pure wheel has C code"
x = np.asfortranarray(np.arange(60 * 60 * 7, dtype=np.uint8).reshape(60, 60, 1, 7))
y = convert.numpy_to_matlab(np.ascontiguousarray(convert.matlab_to_numpy(x)))
assert np.array_equal(y, x) and y.flags.f_contiguous
PY
}
check_layout_copy python built || fail "the C layout copy from the wheel"
echo "$doctor" | grep -q "fast layout copy .*pybridge._transpose" || fail "pybridge doctor does not report the layout copy: $doctor"

say "the wheel for any platform (PYBRIDGE_PURE=1): no C code, numpy's copies"
PYBRIDGE_PURE=1 "$py" -m pip wheel --quiet --no-deps --wheel-dir "$work/pure" "$root" >"$work/pure.log" 2>&1 \
    || { cat "$work/pure.log" >&2; fail "PYBRIDGE_PURE=1 pip wheel could not build pybridge"; }
rm -rf "$root/build"
pure=$(ls "$work"/pure/pybridge_lab-*.whl)
case "$pure" in *-py3-none-any.whl) ;; *) fail "PYBRIDGE_PURE=1 built $(basename "$pure"), not a py3-none-any wheel" ;; esac
"$py" -m venv "$work/purevenv"
"$work/purevenv/bin/python" -m pip install --quiet "$pure" 2>"$work/pip-pure.log" \
    || { cat "$work/pip-pure.log" >&2; fail "pip install of the pure wheel failed"; }
check_layout_copy "$work/purevenv/bin/python" pure || fail "conversions from the pure wheel"
pure_doctor=$("$work/purevenv/bin/pybridge" doctor) || fail "pybridge doctor from the pure wheel: $pure_doctor"
echo "$pure_doctor" | grep -q "pybridge._transpose not built" \
    || fail "doctor from the pure wheel does not say the C copy is missing: $pure_doctor"
say "pure wheel ok: $(basename "$pure")"

if command -v octave-cli >/dev/null 2>&1; then
    say "Octave: pybridge.setup and pybridge.dice from the installed folder"
    out=$(octave-cli --no-gui --norc --quiet --no-history --eval "
      addpath('$folder');
      info = pybridge.setup();
      A = false(8); A(2:5, 2:5) = true; B = false(8); B(3:6, 3:6) = true;
      d = pybridge.dice(A, B);
      assert(abs(d - 0.5625) < 1e-12, 'dice %g', d);
      fprintf('dice ok, Python %s\n', info.Executable);" 2>&1) || fail "Octave: $out"
    echo "$out"
    echo "$out" | grep -q "dice ok, Python $work/venv/bin/python3\.[0-9]*\$" \
        || fail "pybridge.setup did not pick the venv's Python: $out"
    if echo "$out" | grep -qiE 'X11|disabling GUI|execution_exception|^warning'; then
        fail "Octave printed noise: $out"
    fi
    rc="$work/octaverc"
    pybridge setup-matlab --write octave --startup "$rc" >/dev/null
    out=$(octave-cli --no-gui --quiet --no-history --eval "source('$rc'); pybridge.setup('Verbose', false); disp(pybridge.jaccard(true(2), true(2)))" 2>&1) \
        || fail "Octave with the written startup file: $out"
    [ "$(echo "$out" | tail -1 | tr -d ' ')" = 1 ] || fail "jaccard through the startup file: $out"
else
    say "octave-cli not on PATH: Octave checks not run"
    [ -z "${CI:-}" ] || fail "CI must have GNU Octave"
fi
if [ "${PYBRIDGE_SMOKE_ML:-0}" = 1 ] && command -v octave-cli >/dev/null 2>&1; then
    say "the ml extra (torch 2.13.0 first, as scripts/bootstrap.sh does), then the MATLAB tour from the installed folder"
    python -m pip install --quiet "torch==2.13.0" 2>"$work/pip-ml.log" \
        && python -m pip install --quiet "$wheel[ml,octave]" 2>>"$work/pip-ml.log" \
        || { cat "$work/pip-ml.log" >&2; fail "pip install of the ml extra failed"; }
    # the tour without its first line, which puts the repository's matlab folder on the path
    grep -v "^addpath(" "$root/examples/matlab/tour.m" > "$work/tour_installed.m"
    out=$(MPLBACKEND=Agg octave-cli --no-gui --norc --quiet --no-history --eval "
      addpath('$folder'); run('$work/tour_installed.m')" 2>&1) || fail "the tour from the installed folder: $out"
    echo "$out" | grep -q "d = 0.5625" || fail "the tour's Dice: $out"
    echo "$out" | grep -q "^diceOnLesions = " || fail "the tour did not reach its U-Net: $out"
    say "tour ok: $(echo "$out" | grep -E '^(accuracy|diceOnLesions) = ' | tr '\n' ' ')"
fi
say "ok"
