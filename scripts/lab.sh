#!/usr/bin/env bash
# Runs the pybridge lab end to end and writes its HTML report.
# Sets everything up on first use.
#   bash scripts/lab.sh [--out DIR] [--engine auto|matlab|octave] [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
export MPLBACKEND=Agg
if pybridge lab --help >/dev/null 2>&1; then
    exec pybridge lab "$@"
fi
exec pybridge doctor
