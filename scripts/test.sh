#!/usr/bin/env bash
# Builds sanctwatch and runs the whole test suite twice: a normal optimised build, and an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Installs missing packages first.
# Usage: scripts/test.sh [FILTER]    (FILTER limits the run to tests whose name contains it)
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
JOBS=$(nproc 2>/dev/null || echo 2)
WERROR=${WERROR:-0}
[ "${CI:-}" = "true" ] && WERROR=1
echo "== static checks"
scripts/check-banned.sh
scripts/check-functions.sh
scripts/check-sql.sh
scripts/check-docs.sh
if command -v clang-format >/dev/null; then
    make -s format-check
else
    echo "NOTE: clang-format absent: formatting not checked"
fi
echo "== build (optimised)"
make -s -j"$JOBS" WERROR="$WERROR" all
echo "== the dashboard (npm ci, esbuild)"
make -s web || { echo "cannot build the dashboard"; exit 1; }
echo "== tests (optimised)"
rc=0
BUILD=build tests/run "$@" || rc=1
echo "== build (ASan+UBSan)"
make -s -j"$JOBS" WERROR="$WERROR" SAN=1 all
echo "== tests (ASan+UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
BUILD=build-san SW_SAN=1 tests/run "$@" || rc=1
exit $rc
