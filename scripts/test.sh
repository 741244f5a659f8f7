#!/usr/bin/env bash
# Runs every test: Python (pytest), the engine tests on the mock and on GNU
# Octave, and the .m tests on Octave. Sets everything up on first use.
#   bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
export MPLBACKEND=Agg
set +e
python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    echo "scripts/test.sh: pytest collected no tests (exit 5): that is a failure, not a pass" >&2
    exit 1
fi
exit "$rc"
