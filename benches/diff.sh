#!/bin/sh
# Times `zergcfg diff` on the bundled example as a whole process (start, read, plan, diff,
# print), release build, with hyperfine: once with nothing installed (every file a diff from
# /dev/null) and once with everything current. Target: under 5 ms per run.
#
# Usage: benches/diff.sh [extra hyperfine options]   (needs hyperfine on PATH)
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin=$target/release/zergcfg

empty=$(mktemp -d)
current=$(mktemp -d)
trap 'rm -rf "$empty" "$current"' EXIT
cp -R "$repo/fixtures/example/." "$empty"
cp -R "$repo/fixtures/example/." "$current"
"$bin" build --config "$current/zerg.toml" --root "$current" >/dev/null

# diff exits 1 when something would change: that is its answer, not a failure.
hyperfine --warmup 20 --min-runs 200 -N --ignore-failure "$@" \
    --command-name "diff, nothing installed" \
    "$bin --color never diff --config $empty/zerg.toml --root $empty" \
    --command-name "diff, everything current" \
    "$bin --color never diff --config $current/zerg.toml --root $current"
