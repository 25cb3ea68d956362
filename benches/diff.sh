#!/bin/sh
# Times `zergcfg diff` on the bundled example as a whole process (start, read, plan, diff,
# print), release build, with hyperfine: once with nothing installed (every file a diff from
# /dev/null) and once with everything current. Target: under 5 ms per run.
#
# Usage: benches/diff.sh [extra hyperfine options]   (needs hyperfine on PATH)
set -eu

. "$(dirname "$0")/common.sh"

empty=$(example)
current=$(example)
"$bin" build --config "$current/zerg.toml" --root "$current" >/dev/null

# diff exits 1 when something would change: that is its answer, not a failure.
hyperfine --warmup 20 --min-runs 200 -N --ignore-failure "$@" \
    --command-name "diff, nothing installed" \
    "$bin --color never diff --config $empty/zerg.toml --root $empty" \
    --command-name "diff, everything current" \
    "$bin --color never diff --config $current/zerg.toml --root $current"
