# Sourced by script tests that start feeds or servers of their own: T, a scratch directory,
# and PIDS, background processes; both are cleaned up on exit (the processes killed, T
# removed). fail prints the reason and ends the test.
T=$(mktemp -d)
PIDS=()
scratch_cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap scratch_cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
