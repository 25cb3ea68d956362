#!/bin/sh
# Times `zergcfg build` on a temporary copy of the bundled example as a whole process, release
# build, with hyperfine: writing all four files (the written files are removed before each run)
# and a build that finds everything current and writes nothing. Target: under 5 ms per run.
#
# Usage: benches/build.sh [extra hyperfine options]   (needs hyperfine on PATH)
set -eu

. "$(dirname "$0")/common.sh"

fresh=$(example)
current=$(example)
"$bin" build --config "$current/zerg.toml" --root "$current" >/dev/null

hyperfine --warmup 20 --min-runs 200 -N "$@" \
    --prepare "rm -rf $fresh/srv/galaxy/vassals $fresh/srv/galaxy/config/galaxy-restarter.yml $fresh/srv/galaxy/config/job_conf-restarter.xml" \
    --command-name "build, writing all four files" \
    "$bin --color never build --config $fresh/zerg.toml --root $fresh" \
    --command-name "build, everything current" \
    "$bin --color never build --config $current/zerg.toml --root $current"
