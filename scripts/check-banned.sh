#!/usr/bin/env bash
# Fails when engine or CLI code calls a banned function (see docs/contributing.md).
cd "$(dirname "$0")/.."
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)[[:space:]]*\(' \
    $(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 2>/dev/null || find src include -name '*.[ch]'); then
    echo "banned function used (use snprintf, sw_buf, strtol, strtok_r ...)" >&2
    exit 1
fi
