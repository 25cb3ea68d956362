# Sourced by the benchmark scripts: builds zergcfg in release mode and installs the bundled
# example into a temporary directory. Sets `bin` (the binary) and `example` (a function that
# copies the bundled example into a new temporary directory and prints its path; every such
# directory is removed when the script exits).

repo=$(cd "$(dirname "$0")/.." && pwd)
command -v hyperfine >/dev/null || {
    echo "hyperfine is not installed (apt-get install hyperfine)" >&2
    exit 2
}
cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml"
bin=${CARGO_TARGET_DIR:-$repo/target}/release/zergcfg

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

example() {
    dir=$(mktemp -d "$scratch/example.XXXXXX")
    cp -R "$repo/fixtures/example/." "$dir"
    echo "$dir"
}
