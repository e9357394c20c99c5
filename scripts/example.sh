#!/usr/bin/env bash
# The main job on the bundled example: installs missing packages, builds, and runs sanctwatch
# on the bundled recording. Output goes to out/example/.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
make -s -j"$(nproc 2>/dev/null || echo 2)" build/sanctwatch
mkdir -p out/example
build/sanctwatch decode data/examples/dma-stream-2010-06-11.nmea >out/example/decoded.json
echo "decoded $(wc -l <out/example/decoded.json) messages into out/example/decoded.json"
