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
export MPLBACKEND=Agg
set +e
if [ "$fast" = 1 ]; then
    HYPOTHESIS_PROFILE=dev python -m pytest -m "not slow" "$@"
else
    HYPOTHESIS_PROFILE=ci python -m pytest "$@"
fi
rc=$?
set -e
if [ "$rc" = 5 ]; then
    echo "scripts/test.sh: pytest collected no tests (exit 5): that is a failure, not a pass" >&2
    exit 1
fi
exit "$rc"
