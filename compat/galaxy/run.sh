#!/usr/bin/env bash
# Runs the Galaxy 21.09 handler compatibility check (check_handlers.py).
#
#   run.sh        set up the venv, then check every case: the fixture sets of
#                 fixtures/galaxy-compat (the good ones must pass, each known-bad one must fail
#                 with the kinds of failure its case names) and, with ZERGCFG_BIN naming a zergcfg
#                 binary, the layouts `zergcfg build` generates: fixtures/example,
#                 fixtures/handler-tags, handler-tags with each known-bad main job conf, and
#                 copies of the generated handler-tags layout broken on purpose
#   run.sh ARGS   set up the venv, then check one set: ARGS go to check_handlers.py, e.g.
#                 --galaxy-yml G --zergling-yml Z --restarter-yml R --root DIR, and
#                 --expect-failure KIND for a set known to be bad
#
# Without ZERGCFG_BIN the generated layouts are skipped with a line saying so, which counts as a
# failure when ZERGCFG_REQUIRE_TOOLS is set (scripts/test sets it).
#
# Ends with one line `N passed, M failed` and exits non-zero if any case failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fixtures="$(cd "$here/../../fixtures/galaxy-compat" && pwd)"
layouts="$(cd "$here/../../fixtures" && pwd)"
venv="${ZERGCFG_GALAXY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/zergcfg/galaxy-21.09-venv}"

if ! bash "$here/setup.sh"; then
    echo "run.sh: setup.sh failed, nothing was checked" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0

# One case: a label, then the arguments for check_handlers.py.
run_case() {
    local label="$1"
    shift
    echo "== $label"
    if "$venv/bin/python" "$here/check_handlers.py" "$@"; then
        echo "-- $label: ok"
        passed=$((passed + 1))
    else
        echo "-- $label: FAILED"
        failed=$((failed + 1))
    fi
}

# A failure of the harness itself, outside any check.
harness_failure() {
    echo "-- $1: FAILED"
    failed=$((failed + 1))
}

if (($# > 0)); then
    run_case "given files" "$@"
    echo "$passed passed, $failed failed"
    ((failed == 0))
    exit
fi

# Fixture sets, checked as given. B's uWSGI options are galaxy.yml's less its mule lines.
run_case "untagged mules, good restarter conf" \
    --galaxy-yml "$fixtures/galaxy.yml" \
    --job-conf "$fixtures/job_conf.xml" \
    --restarter-job-conf "$fixtures/job_conf-restarter.xml"
run_case "untagged mules from mules: 2, good restarter conf" \
    --galaxy-yml "$fixtures/mules-count/galaxy.yml" \
    --job-conf "$fixtures/job_conf.xml" \
    --restarter-job-conf "$fixtures/job_conf-restarter.xml"
run_case "one farm, a mule tagged in the job conf, good restarter conf" \
    --galaxy-yml "$fixtures/handler-tags/galaxy.yml" \
    --job-conf "$fixtures/handler-tags/job_conf.xml" \
    --restarter-job-conf "$fixtures/handler-tags/job_conf-restarter.xml"
run_case "one farm, tools mapped by id, <param> and class, good restarter conf" \
    --galaxy-yml "$fixtures/handler-tags/galaxy.yml" \
    --job-conf "$fixtures/mappings/job_conf.xml" \
    --restarter-job-conf "$fixtures/mappings/job_conf-restarter.xml"
run_case "known bad: empty handler id (stranded)" --expect-failure stranded \
    --galaxy-yml "$fixtures/galaxy.yml" \
    --job-conf "$fixtures/job_conf.xml" \
    --restarter-job-conf "$fixtures/bad/empty-handler-id.xml"
run_case "known bad: no <handlers> (handler, stranded)" \
    --expect-failure handler --expect-failure stranded \
    --galaxy-yml "$fixtures/galaxy.yml" \
    --job-conf "$fixtures/job_conf.xml" \
    --restarter-job-conf "$fixtures/bad/no-handlers.xml"

# Farm layouts Galaxy under Python 3 misreads: uWSGI 2.0 gives it the last farm line only.
run_case "known bad: two farm lines, a tag farm last (farms, rejected)" \
    --expect-failure farms --expect-failure rejected \
    --galaxy-yml "$fixtures/bad/two-farms/galaxy.yml" \
    --job-conf "$fixtures/bad/two-farms/job_conf.xml" \
    --restarter-job-conf "$fixtures/bad/two-farms/job_conf-restarter.xml"
run_case "known bad: two farm lines, the untagged farm last (farms, unhandled, stranded)" \
    --expect-failure farms --expect-failure unhandled --expect-failure stranded \
    --galaxy-yml "$fixtures/bad/two-farms-default-last/galaxy.yml" \
    --job-conf "$fixtures/bad/two-farms-default-last/job_conf.xml" \
    --restarter-job-conf "$fixtures/bad/two-farms-default-last/job_conf-restarter.xml"
run_case "known bad: a tag farm as the only farm (rejected)" --expect-failure rejected \
    --galaxy-yml "$fixtures/bad/tag-farm-only/galaxy.yml" \
    --job-conf "$fixtures/bad/tag-farm-only/job_conf.xml" \
    --restarter-job-conf "$fixtures/bad/tag-farm-only/job_conf-restarter.xml"

# Main job confs Galaxy would reject or fail jobs with, each with the restarter conf zergcfg
# writes from it: Galaxy's own error must be reported.
rejected_cases=(
    runner-load-fails
    destination-runner-missing
    tool-destination-missing
    plugin-type-unknown
)
for case in "${rejected_cases[@]}"; do
    run_case "known bad main job conf: $case (rejected)" --expect-failure rejected \
        --galaxy-yml "$fixtures/handler-tags/galaxy.yml" \
        --job-conf "$fixtures/bad/$case/job_conf.xml" \
        --restarter-job-conf "$fixtures/bad/$case/job_conf-restarter.xml"
done

if [ -z "${ZERGCFG_BIN:-}" ]; then
    echo "skipped generated layouts: ZERGCFG_BIN is not set"
    if [ -n "${ZERGCFG_REQUIRE_TOOLS:-}" ]; then
        harness_failure "generated layouts (skipped, but ZERGCFG_REQUIRE_TOOLS is set)"
    fi
    echo "$passed passed, $failed failed"
    ((failed == 0))
    exit
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Builds a copy of a bundled layout into $scratch/NAME, optionally with another main job conf.
build_layout() {
    local name="$1" source="$2" job_conf="${3:-}"
    local root="$scratch/$name"
    mkdir -p "$root"
    cp -R "$source/." "$root"
    if [ -n "$job_conf" ]; then
        cp "$job_conf" "$root/srv/galaxy/config/job_conf.xml"
    fi
    if ! "$ZERGCFG_BIN" build -q --config "$root/zerg.toml" --root "$root"; then
        harness_failure "zergcfg build of $name"
        return 1
    fi
}

# Copies a built layout to $scratch/NAME for breaking on purpose.
copy_layout() {
    rm -rf "${scratch:?}/$2"
    cp -R "$scratch/$1" "$scratch/$2"
}

# The check of a generated layout reads every generated file: A's uWSGI options from the zergling
# vassal, B's options and Galaxy settings from the restarter, both job confs from the
# job_config_file those settings name.
layout_args() {
    local root="$scratch/$1"
    printf '%s\n' \
        --root "$root" \
        --galaxy-yml "$root/srv/galaxy/config/galaxy.yml" \
        --zergling-yml "$root/srv/galaxy/vassals/vassal-zergling.yml" \
        --restarter-yml "$root/srv/galaxy/config/galaxy-restarter.yml"
}

# Edits a file of a broken copy with sed and fails the harness when the edit changed nothing.
break_file() {
    local file="$1"
    shift
    cp "$file" "$file.before"
    sed -i "$@" "$file"
    if cmp -s "$file" "$file.before"; then
        harness_failure "breaking $file (the edit changed nothing)"
        return 1
    fi
    rm "$file.before"
}

for layout in example handler-tags; do
    if build_layout "$layout" "$layouts/$layout"; then
        mapfile -t args < <(layout_args "$layout")
        run_case "generated by zergcfg build: fixtures/$layout" "${args[@]}"
    fi
done

for case in "${rejected_cases[@]}"; do
    bad_conf="$fixtures/bad/$case/job_conf.xml"
    if build_layout "rejected-$case" "$layouts/handler-tags" "$bad_conf"; then
        mapfile -t args < <(layout_args "rejected-$case")
        run_case "generated from known bad main job conf: $case (rejected)" \
            --expect-failure rejected "${args[@]}"
    fi
done

# The generated handler-tags layout, broken the ways a restarter goes wrong by hand.
if [ -d "$scratch/handler-tags" ]; then
    config=srv/galaxy/config

    copy_layout handler-tags no-tools
    if break_file "$scratch/no-tools/$config/job_conf-restarter.xml" '/<tools>/,/<\/tools>/d'; then
        mapfile -t args < <(layout_args no-tools)
        run_case "built handler-tags, restarter conf without <tools> (tool-mapping, misrouted)" \
            --expect-failure tool-mapping --expect-failure misrouted "${args[@]}"
    fi

    copy_layout handler-tags remapped
    if break_file "$scratch/remapped/$config/job_conf-restarter.xml" \
        's/handler="special"/handler="main.job-handlers.1"/'; then
        mapfile -t args < <(layout_args remapped)
        run_case "built handler-tags, special_tool remapped for B (tool-mapping, misrouted)" \
            --expect-failure tool-mapping --expect-failure misrouted "${args[@]}"
    fi

    # A's own mule and farm lines left in the restarter's uwsgi: section.
    copy_layout handler-tags farm-left
    grep -E '^  (mule|farm): ' "$scratch/farm-left/srv/galaxy/vassals/vassal-zergling.yml" \
        >"$scratch/farm-left.lines"
    if break_file "$scratch/farm-left/$config/galaxy-restarter.yml" \
        "/^uwsgi:\$/r $scratch/farm-left.lines"; then
        mapfile -t args < <(layout_args farm-left)
        run_case "built handler-tags, A's mule and farm lines in the restarter (mules, stranded)" \
            --expect-failure mules --expect-failure stranded "${args[@]}"
    fi

    # B reading A's job conf: with A's <handlers> (a tagged mule) B writes pool names into
    # jobs; without <handlers> (the example) Galaxy makes B a job handler as well.
    copy_layout handler-tags main-job-conf
    if break_file "$scratch/main-job-conf/$config/galaxy-restarter.yml" \
        's#^\(  job_config_file: .*/\)job_conf-restarter\.xml$#\1job_conf.xml#'; then
        mapfile -t args < <(layout_args main-job-conf)
        run_case "built handler-tags, B's job_config_file is A's (job-conf, stranded)" \
            --expect-failure job-conf --expect-failure stranded "${args[@]}"
    fi
fi
if [ -d "$scratch/example" ]; then
    copy_layout example example-main-job-conf
    if break_file "$scratch/example-main-job-conf/srv/galaxy/config/galaxy-restarter.yml" \
        's#^\(  job_config_file: .*/\)job_conf-restarter\.xml$#\1job_conf.xml#'; then
        mapfile -t args < <(layout_args example-main-job-conf)
        run_case "built example, B's job_config_file is A's (job-conf, handler, stranded)" \
            --expect-failure job-conf --expect-failure handler --expect-failure stranded \
            "${args[@]}"
    fi
fi

echo "$passed passed, $failed failed"
((failed == 0))
