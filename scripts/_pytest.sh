# Sourced by scripts/test.sh and scripts/test_oldest_numpy.sh.
# pb_pytest PYTHON [pytest arguments]: runs pytest and returns its exit status,
# except that "no tests collected" (exit 5) is a failure, not a pass.
pb_pytest() {
    local py=$1 rc
    shift
    set +e
    "$py" -m pytest "$@"
    rc=$?
    set -e
    if [ "$rc" = 5 ]; then
        echo "pytest collected no tests (exit 5): that is a failure, not a pass" >&2
        return 1
    fi
    return "$rc"
}
