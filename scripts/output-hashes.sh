#!/usr/bin/env bash
# The sha256 of every file that `build`, `consult`, `calendar --ics` and `status --json` write,
# for the built-in plan and for every fixture plan that builds (tests/fixtures/valid and
# tests/fixtures/warnings), one line each: `<sha256>  <plan>/<command>/<path>`.
#
#   scripts/output-hashes.sh [UDVALG] > hashes.txt     # UDVALG: default target/release/udvalg
#   diff before.txt after.txt                          # a refactoring must show no line
#
# Every command runs with a fixed day and no SOURCE_DATE_EPOCH, so the list is a function of the
# plan, the templates and the program alone.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
udvalg=$(realpath "${1:-$repo/target/release/udvalg}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset SOURCE_DATE_EPOCH

plans=("builtin:$repo/plans/udsattestrategi")
for dir in "$repo"/tests/fixtures/valid/*/ "$repo"/tests/fixtures/warnings/*/; do
  dir=${dir%/}
  plans+=("$(basename "$(dirname "$dir")")/$(basename "$dir"):$dir")
done

hash_tree() { # prefix dir
  (cd "$2" && find . -type f ! -name '.udvalg-staging-*' -print0 | LC_ALL=C sort -z |
    xargs -0 -r sha256sum | sed "s|  \./|  $1/|")
}

for entry in "${plans[@]}"; do
  name=${entry%%:*} plan=${entry#*:}
  for command in build consult calendar status; do
    out="$work/$name/$command"
    mkdir -p "$out"
    case $command in
      build) "$udvalg" --plan "$plan" --templates "$repo/templates" --out "$out" --jobs 2 build >/dev/null 2>&1 || echo "build failed: $name" >&2 ;;
      consult)
        for file in "$plan"/consultations/*.toml; do
          [ -e "$file" ] || continue
          "$udvalg" --plan "$plan" --templates "$repo/templates" --out "$out" consult "$(basename "$file" .toml)" >/dev/null 2>&1 || echo "consult failed: $name" >&2
        done ;;
      calendar) "$udvalg" --plan "$plan" --out "$out" calendar --ics >/dev/null 2>&1 || echo "calendar failed: $name" >&2 ;;
      status) "$udvalg" --plan "$plan" --templates "$repo/templates" --out "$work/$name/build" status --today 2022-11-15 --json >"$out/status.json" 2>/dev/null || true ;;
    esac
    hash_tree "$name/$command" "$out"
  done
done
