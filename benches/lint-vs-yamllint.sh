#!/usr/bin/env bash
# Times `zergcfg lint` (release build) and yamllint on the same files, the bundled example as
# `zergcfg build` installs it (the four generated files and galaxy.yml), side by side in one
# hyperfine run, each as a whole process, and prints how many times faster zergcfg is.
# The goal is at least 20 times. Needs hyperfine (`apt-get install hyperfine`); installs
# yamllint from PyPI into target/tools-venv when missing.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$repo"

tools=target/tools-venv
if [ ! -x "$tools/bin/yamllint" ]; then
    echo "installing yamllint into $tools"
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet yamllint
fi

work=$(example)
"$bin" build --config "$work/zerg.toml" --root "$work" >/dev/null
srv="$work/srv/galaxy"
files="$srv/vassals/vassal-zergpool.yml $srv/vassals/vassal-zergling.yml \
$srv/config/galaxy-restarter.yml $srv/config/job_conf-restarter.xml $srv/config/galaxy.yml"

# yamllint reads the job conf as YAML and reports it; either tool's exit code is not the point.
hyperfine --shell=none --warmup 5 --min-runs 50 --ignore-failure \
    --export-json "$work/times.json" \
    --command-name "zergcfg lint" "$bin lint $files" \
    --command-name "yamllint" "$tools/bin/yamllint $files"

python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
zergcfg, yamllint = results["zergcfg lint"]["mean"], results["yamllint"]["mean"]
ratio = yamllint / zergcfg
print(f"zergcfg lint {zergcfg * 1000:.2f} ms, yamllint {yamllint * 1000:.2f} ms: "
      f"zergcfg is {ratio:.1f} times faster (goal: at least 20)")
PY
