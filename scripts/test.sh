#!/usr/bin/env bash
# Runs the tests: Python (pytest), the engine tests on the mock and on GNU
# Octave, and the .m tests on Octave. Sets everything up on first use.
#   bash scripts/test.sh [--fast] [pytest arguments]
#     (no option)  every test, with the `ci` hypothesis profile (>= 10,000
#                  cases for the round-trip properties): what CI runs
#     --fast       the edit-test loop: skips tests marked slow (training,
#                  whole lab stages, notebooks) and uses the `dev` profile
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
if [ "${1:-}" = "--fast" ]; then
    fast=1
    shift
fi
. scripts/bootstrap.sh
. scripts/_pytest.sh
export MPLBACKEND=Agg
if [ "$fast" = 1 ]; then
    HYPOTHESIS_PROFILE=dev pb_pytest python -m "not slow" "$@"
else
    HYPOTHESIS_PROFILE=ci pb_pytest python "$@"
fi
