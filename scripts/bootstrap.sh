#!/usr/bin/env bash
# Set-up shared by scripts/lab.sh and scripts/test.sh: a virtual environment
# with pybridge and its Python packages, and GNU Octave with its image package.
# Sourced, not run: it leaves the virtual environment active.
# Variables: PYBRIDGE_VENV (default .venv), PYTHON (default python3),
# PYBRIDGE_NO_OCTAVE=1 to skip the Octave install (its tests then skip).

_pb_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_pb_venv=${PYBRIDGE_VENV:-$_pb_root/.venv}
_pb_python=${PYTHON:-python3}

_pb_die() { printf 'pybridge set-up: %s\n' "$*" >&2; exit 1; }
_pb_say() { printf '[pybridge set-up] %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, through sudo when it
# works without a password, otherwise not at all (return 1).
_pb_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"
    else return 1
    fi
}

_pb_apt_updated=0
_pb_apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$_pb_apt_updated" = 0 ]; then
        _pb_as_root apt-get update -qq >&2 || return 1
        _pb_apt_updated=1
    fi
    _pb_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# 1. Python >= 3.10 with venv.
command -v "$_pb_python" >/dev/null 2>&1 || _pb_die "no '$_pb_python' found: install Python >= 3.10 (Debian: apt-get install python3 python3-venv)"
"$_pb_python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || _pb_die "pybridge needs Python >= 3.10; '$_pb_python' is $("$_pb_python" -V 2>&1). Set PYTHON=/path/to/python3.11"
if [ ! -x "$_pb_venv/bin/python" ]; then
    _pb_say "creating the virtual environment $_pb_venv"
    if ! "$_pb_python" -m venv "$_pb_venv" >&2; then
        _pb_apt_install python3-venv && "$_pb_python" -m venv "$_pb_venv" >&2 \
            || _pb_die "could not create a virtual environment: install python3-venv (apt-get install python3-venv)"
    fi
fi
# shellcheck disable=SC1091
. "$_pb_venv/bin/activate"

# 2. Python packages. torch first, pinned: 2.13.0 is the CPU build pip finds
#    on the course machines; anything looser pulls GBs of CUDA wheels. Then
#    pybridge itself, editable, with every extra (ml, octave, dask, notebooks)
#    and the test tools.
_pb_stamp="$_pb_venv/.pybridge-installed"
_pb_want=$(cat "$_pb_root/pyproject.toml" "$_pb_root/setup.py" "$_pb_root/pybridge/_transpose.c" \
    "${BASH_SOURCE[0]}" | cksum | cut -d' ' -f1)
if [ ! -f "$_pb_stamp" ] || [ "$(cat "$_pb_stamp")" != "$_pb_want" ]; then
    _pb_say "installing Python packages (torch 2.13.0 CPU, then pybridge with every extra and the test tools)"
    python -m pip install -q --upgrade pip >&2 || _pb_die "pip could not upgrade itself (network or registry problem?)"
    python -m pip install -q "torch==2.13.0" >&2 || _pb_die "pip could not install torch==2.13.0"
    # a C compiler and Python's headers, for pybridge's transposing copy (pybridge/_transpose.c;
    # the install works without them, the tests check that the kernel was built)
    if ! command -v cc >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
        _pb_say "installing a C compiler (Debian package gcc)"
        _pb_apt_install gcc || _pb_die "no C compiler and none installable from here: sudo apt-get install gcc"
    fi
    if ! python -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
        _pb_say "installing Python's C headers (Debian package python3-dev)"
        _pb_apt_install python3-dev || _pb_die "Python's C headers are missing: sudo apt-get install python3-dev"
    fi
    python -m pip install -q -e "$_pb_root[all,test]" >&2 || _pb_die "pip could not install pybridge's packages (see the pip output above)"
    # an editable install does not copy the start-up hook that provides `import matlab`
    # where MathWorks' matlabengine is absent (a wheel install does): write it
    python -m pybridge._matlab_finder >&2 || _pb_die "could not write pybridge's matlab start-up hook into site-packages"
    echo "$_pb_want" > "$_pb_stamp"
fi

# 3. GNU Octave and its image package (the engine when MATLAB is absent).
if [ "${PYBRIDGE_NO_OCTAVE:-0}" != 1 ]; then
    if ! command -v octave-cli >/dev/null 2>&1; then
        _pb_say "installing GNU Octave (Debian packages octave, octave-image)"
        _pb_apt_install octave octave-image \
            || _pb_die "GNU Octave is missing and cannot be installed from here (needs root or password-less sudo, and apt-get). Install it: sudo apt-get install octave octave-image   (or set PYBRIDGE_NO_OCTAVE=1 to run without it)"
        command -v octave-cli >/dev/null 2>&1 \
            || _pb_die "apt-get installed octave but octave-cli is not on PATH ($PATH); add /usr/bin to PATH"
    fi
    if ! octave-cli --no-gui --norc --eval "pkg load image" >/dev/null 2>&1; then
        _pb_say "installing Octave's image package (Debian package octave-image)"
        _pb_apt_install octave-image \
            || _pb_die "Octave's image package is missing: sudo apt-get install octave-image"
    fi
fi
unset _pb_stamp _pb_want
