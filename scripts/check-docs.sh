#!/usr/bin/env bash
# The docs name only what exists. In README.md and docs/*.md:
#   - every path under src/, include/, tests/, scripts/, bench/, data/, docs/ or web/ that is
#     named must exist (a pattern such as src/ais/ais_*.c or src/cli/cmd_<name>.c must match a
#     file);
#   - every function written as `name()` must be defined in src/ or include/ (C libraries'
#     own functions, json_* sqlite3_* crypto_* curl_* MHD_*, aside).
# Exits 1 listing what does not exist.
#   scripts/check-docs.sh [FILE.md...]
set -eu
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md docs/*.md)
defined=$(mktemp)
found=$(mktemp)
trap 'rm -f "$defined" "$found"' EXIT
# every function or macro defined in the tree (a definition or prototype starts a line)
grep -rhoE '^[A-Za-z_][A-Za-z0-9_ *]*[ *]([a-z_][a-z0-9_]*)\(|^#define ([a-z_][a-z0-9_]*)\(' \
    src include | sed -E 's/^#define //; s/\($//; s/.*[ *]//' | sort -u >"$defined"
for f in "${files[@]}"; do
    # paths: runs of path characters after a top folder name, trailing punctuation dropped
    grep -noE '(^|[^A-Za-z0-9_./-])(src|include|tests|scripts|bench|data|docs|web)/[A-Za-z0-9_.*<>/-]*' "$f" |
        sed -E 's/:[^A-Za-z]*/:/' | while IFS=: read -r line path; do
            path=${path%%[.,;:)]}
            path=${path%.}
            case $path in
            *'*'* | *'<'*)
                pat=$(sed -E 's/<[^>]*>/*/g' <<<"$path")
                compgen -G "$pat" >/dev/null || echo "$f:$line: nothing matches $path" ;;
            */) [ -d "$path" ] || echo "$f:$line: no folder $path" ;;
            # a program is named by its source (bench/bench_ledger: bench/bench_ledger.c)
            *) [ -e "$path" ] || [ -e "$path.c" ] || echo "$f:$line: no file $path" ;;
            esac
        done >>"$found"
    grep -noE '`[a-z_][a-z0-9_]*\(\)`' "$f" | tr -d '`()' | while IFS=: read -r line fn; do
        case $fn in json_* | sqlite3_* | crypto_* | curl_* | mhd_* | MHD_*) continue ;; esac
        grep -qx "$fn" "$defined" || echo "$f:$line: no function $fn()"
    done >>"$found"
done
cat "$found"
if [ -s "$found" ]; then
    echo "check-docs: $(wc -l <"$found") name(s) in the docs that do not exist" >&2
    exit 1
fi
echo "check-docs: every path and function the docs name exists (${#files[@]} files)"
