#!/usr/bin/env bash
# Benchmark: udvalg against a parallel loop of the typst CLI on the same documents, for the
# built-in plan and a synthetic municipality-year; plus no-op and one-item rebuilds and peak
# memory. Prints figures; asserts nothing. Usage: bench/run.sh [--small] [--runs N]
#   --small   a smaller synthetic plan (5 committees) for a quick look
#   --runs N  run each build of the synthetic plan N times and report the fastest (default 3):
#             on a shared machine one run can be 20% off; the built-in plan, which builds in
#             half a second, runs 4N times
set -euo pipefail
cd "$(dirname "$0")/.."

TYPST_VERSION=0.15.1
TOOLS="$PWD/bench/.tools"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
CORES="$(nproc)"
COMMITTEES=20
RUNS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --small) COMMITTEES=5 ;;
    --runs) RUNS="$2"; shift ;;
    *) echo "usage: bench/run.sh [--small] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done

TYPST="$(command -v typst || true)"
if [[ -z "$TYPST" || "$("$TYPST" --version)" != *"$TYPST_VERSION"* ]]; then
  TYPST="$TOOLS/bin/typst"
  if [[ ! -x "$TYPST" ]]; then
    echo "installing typst-cli $TYPST_VERSION into bench/.tools (once; takes a while)" >&2
    cargo install typst-cli --version "$TYPST_VERSION" --locked --root "$TOOLS" >&2
  fi
fi

cargo build --release --quiet --bins
UDVALG="$PWD/target/release/udvalg"

now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs udvalg and prints "seconds peak-RSS-MB". The time is taken when the build ends (`wait`);
# the peak is sampled beside it: a large build renders in worker processes, so it is the sum of
# each process's own peak (VmHWM), read every 20 ms with shell builtins only, so that sampling
# takes no CPU from the build.
measure() {
  local start end pid sampler
  start=$(now)
  "$@" >"$WORK/last.out" 2>/dev/null &
  pid=$!
  peak_rss "$pid" >"$WORK/peak" &
  sampler=$!
  wait "$pid"
  end=$(now)
  wait "$sampler"
  echo "$(secs "$start" "$end") $(<"$WORK/peak")"
}

# The sum of the peaks of process $1 and its children, in MB, once $1 has ended.
peak_rss() {
  local pid="$1" p key value children total=0
  local -A peak=()
  while kill -0 "$pid" 2>/dev/null; do
    children=""
    read -r children 2>/dev/null <"/proc/$pid/task/$pid/children" || true
    for p in $pid $children; do
      while read -r key value _; do
        [[ $key == VmHWM: ]] && peak[$p]=$value
      done 2>/dev/null <"/proc/$p/status" || true
    done
    read -r -t 0.02 -u "$NEVER" || true
  done
  for p in "${!peak[@]}"; do total=$((total + peak[$p])); done
  echo $((total / 1024))
}
# A pipe that never has data: `read -t` on it is a sleep without starting a process.
exec {NEVER}<> <(:)

# The fastest of $RUNS runs of "$@" (a command, then "seconds ..." from it): "seconds ...".
fastest() {
  local best="" line
  for _ in $(seq "$RUNS"); do
    line=$("$@")
    if faster "${line%% *}" "${best%% *}"; then best="$line"; fi
  done
  echo "$best"
}

# Whether $1 seconds is less than $2 (or there is no $2 yet).
faster() { [[ -z "$2" ]] || awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# A full build into a new output folder: "seconds peak-RSS-MB per-core-seconds", the last being
# the build's own sum of compile and export times over its layouts, divided by the cores. Folders
# are left until the end: on an ext4 without a journal (as on this kind of machine), each new
# file right after a large folder was deleted has the kernel look past the deleted inodes, which
# cost a build seconds of system time that were the bench's doing, not the build's.
fresh_build() {
  local out="$1" line per_core
  shift
  line=$(measure "$UDVALG" "$@" --out "$out" build --timings)
  per_core=$(sed -n 's/.* \([0-9.]*\) s per core.*/\1/p' "$WORK/last.out")
  echo "$line ${per_core:-0}"
}

# Changes one agenda item (and back, on every other run) and rebuilds: "seconds peak-RSS-MB".
edit_and_build() {
  local out="$1"
  shift
  if grep -q "$ITEM_FROM" "$ITEM_FILE"; then
    sed -i "0,/$ITEM_FROM/s//$ITEM_TO/" "$ITEM_FILE"
  else
    sed -i "0,/$ITEM_TO/s//$ITEM_FROM/" "$ITEM_FILE"
  fi
  measure "$UDVALG" "$@" --out "$out" build
}

# A folder with the templates and the view data of every document of the plan "$@", as the
# typst CLI reads them, and jobs.tsv (template, view, path) listing the documents.
typst_root() {
  local root
  root=$(mktemp -d "$WORK/typst-root.XXXX")
  cp -r templates "$root/templates"
  "$UDVALG" "$@" views "$root" >/dev/null
  echo "$root"
}

# Compiles document $1 (template $2, view $3) of folder $ROOT into folder $PDFS with the typst
# CLI, with any further arguments.
typst_one() {
  "$TYPST" compile --root "$ROOT" --font-path "$ROOT/templates/fonts" --ignore-system-fonts \
    --pdf-standard a-2b,ua-1 --input "view=$3" "$ROOT/templates/$2" "$PDFS/$1.pdf" "${@:4}"
}
export -f typst_one
export TYPST

# The documents of folder $1 with the typst CLI: one process per document, $CORES at a time,
# into a new folder (as udvalg's builds): "seconds documents PDFs-written".
typst_loop() {
  local root="$1" pdfs start end
  pdfs=$(mktemp -d "$root/pdfs.XXXX")
  start=$(now)
  awk -F'\t' '{ print NR "\t" $1 "\t" $2 }' "$root/jobs.tsv" |
    ROOT="$root" PDFS="$pdfs" xargs -P "$CORES" -d '\n' -n 1 bash -c \
      'IFS=$'"'"'\t'"'"' read -r n template view <<<"$1"; typst_one "$n" "$template" "$view"' _
  end=$(now)
  echo "$(secs "$start" "$end") $(wc -l <"$root/jobs.tsv") $(find "$pdfs" -name '*.pdf' | wc -l)"
}

# The issue's limit as the typst CLI measures it: its own compile and PDF export times (the
# "compile" and "pdf" spans of `--timings`, less the fonts it loads meanwhile, which the issue
# counts with process start; a span may hold another of its name), summed over the documents of folder $1 compiled one at a time, so
# that none slows another, divided by the cores: seconds.
typst_work() {
  local root="$1" pdfs n=0 template view _path
  pdfs=$(mktemp -d "$root/pdfs.XXXX")
  mkdir -p "$root/timings"
  while IFS=$'\t' read -r template view _path; do
    n=$((n + 1))
    ROOT="$root" PDFS="$pdfs" typst_one "$n" "$template" "$view" --timings "$root/timings/$n.json"
  done <"$root/jobs.tsv"
  cat "$root/timings"/*.json |
    grep -o '"name":"\(compile\|pdf\|load font\)","cat":"typst","ph":"[BE]","ts":[0-9.]*' |
    awk -F'"' -v c="$CORES" '
      { ts = $0; sub(/.*"ts":/, "", ts) }
      $12 == "B" && depth[$4]++ == 0 { began[$4] = ts }
      $12 == "E" && --depth[$4] == 0 { total += ($4 == "load font" ? -1 : 1) * (ts - began[$4]) }
      END { printf "%.2f", total / 1e6 / c }'
}

# `udvalg publish` of the plan "${@:2}" over the built papers in $1, into a new site folder.
publish_fresh() {
  local out="$1"
  rm -rf "$out-site"
  measure "$UDVALG" "${@:2}" --out "$out" publish --site "$out-site"
}

# Benchmarks plan folder $2 (named $1) with $3 runs of each full build; $4 is the file in which
# one agenda item's text $5 is changed to $6 (and back).
bench_plan() {
  local name="$1" plan_dir="$2" runs="$3"
  ITEM_FILE="$plan_dir/$4" ITEM_FROM="$5" ITEM_TO="$6"
  local base="$WORK/out-$name" out=""
  local plan_args=(--plan "$plan_dir")

  # One thread and all cores in turn, so that a slow spell of the machine hits both alike.
  # Each full build is also compared with the one-thread build just before it: a pair shares
  # the machine's spell, where the fastest of each can come from different spells.
  local serial="" serial_work="" full="" rss="" work="" t s m w sw pairs="" same="" run
  for run in $(seq "$runs"); do
    read -r s _ sw < <(fresh_build "$base-one-thread-$run" "${plan_args[@]}" --jobs 1)
    if faster "$s" "$serial"; then serial=$s; fi
    if faster "$sw" "$serial_work"; then serial_work=$sw; fi
    out="$base-$run"
    read -r t m w < <(fresh_build "$out" "${plan_args[@]}")
    if faster "$t" "$full"; then full=$t rss=$m work=$w; fi
    pairs="$pairs $(awk -v t="$t" -v s="$s" -v c="$CORES" 'BEGIN { printf "%.2f", t / (s / c) }')"
    same="$same $(ratio "$t" "$w")"
  done
  read -r noop _ < <(RUNS=$runs fastest measure "$UDVALG" "${plan_args[@]}" --out "$out" build)
  read -r one _ < <(RUNS=$runs fastest edit_and_build "$out" "${plan_args[@]}")
  local rerendered root
  rerendered=$(head -1 "$WORK/last.out")
  # The website on top of a build: `publish` into a new site folder over papers that are
  # current (the build in it is a no-op), then again with nothing to write.
  local site_first site_again
  read -r site_first _ < <(RUNS=$runs fastest publish_fresh "$out" "${plan_args[@]}")
  read -r site_again _ < <(RUNS=$runs fastest measure "$UDVALG" "${plan_args[@]}" --out "$out" publish --site "$out-site")
  root=$(typst_root "${plan_args[@]}")
  read -r cli docs made < <(RUNS=$runs fastest typst_loop "$root")
  local typst_limit limit
  typst_limit=$(typst_work "$root")
  limit=$(awk -v s="$serial" -v c="$CORES" 'BEGIN { printf "%.2f", s / c }')

  echo
  echo "== $name: $docs documents, $CORES cores; fastest of $runs runs"
  echo "   udvalg full build            ${full} s   peak RSS ${rss} MB (all processes)"
  echo "   the issue's limit            ${typst_limit} s   (the typst CLI's own compile + export times over the documents, one at a time, fonts not counted, / cores; the full build is $(ratio "$full" "$typst_limit")x this)"
  echo "   udvalg one thread            ${serial} s   (one thread / cores = ${limit} s; the full build is $(ratio "$full" "$limit")x this)"
  echo "   compile + export / cores     ${work} s   (summed over the full build's layouts; the full build is $(ratio "$full" "$work")x this)"
  echo "     the same, one thread         $(awk -v w="$serial_work" -v c="$CORES" 'BEGIN { printf "%.2f", w / c }') s   (summed over the one-thread build's layouts, none running beside another; the full build is $(awk -v f="$full" -v w="$serial_work" -v c="$CORES" 'BEGIN { printf "%.2f", f / (w / c) }')x this)"
  echo "   run by run, full build /     one thread / cores:${pairs} (median $(median <<<"$pairs")x);"
  echo "                                own compile + export / cores:${same} (median $(median <<<"$same")x)"
  echo "   typst CLI, $CORES in parallel     ${cli} s   (udvalg is $(ratio "$cli" "$full")x faster; the CLI wrote $made of $docs PDFs)"
  echo "   no-op rebuild                ${noop} s"
  echo "   one agenda item changed      ${one} s   (the full typst CLI loop is $(ratio "$cli" "$one")x slower)"
  echo "   website on top of the build  ${site_first} s   (publish into a new site folder, papers current; $(find "$out-site" -type f | wc -l) files)"
  echo "   website, nothing changed     ${site_again} s"
  echo "   ($rerendered)"
}

# The built-in plan builds in half a second, where one slow spell of the machine weighs more:
# it runs more often.
cp -r plans/udsattestrategi "$WORK/default"
bench_plan "built-in plan" "$WORK/default" $((RUNS * 4)) meetings.toml \
  "Administrationen har samlet pointerne" "Administrationen har nu samlet pointerne"

"$PWD/target/release/udvalg-synthetic" "$WORK/synthetic" --committees "$COMMITTEES" >/dev/null
bench_plan "synthetic municipality-year ($COMMITTEES committees x 11 meetings x 15 items)" \
  "$WORK/synthetic" "$RUNS" meetings.toml "Kvalitetsrapport 1\"" "Kvalitetsrapport 1 (rettet)\""

# One meeting of many items: a full build's time and peak memory grow with the items, not with
# their square (each page's footer finds its item by a counter and a label, not by going
# through every item). The goal: 5,000 items under 5x the time per item of 100 items.
echo
echo "== one meeting of many items (its agenda, public agenda and item PDFs); fastest of $RUNS runs"
per_item_100=""
for items in 100 1000 5000; do
  "$PWD/target/release/udvalg-synthetic" "$WORK/items-$items" --committees 1 --meetings 1 \
    --items "$items" >/dev/null
  best=""
  for run in $(seq "$RUNS"); do
    line=$(measure "$UDVALG" --plan "$WORK/items-$items" --out "$WORK/out-items-$items-$run" build)
    if faster "${line%% *}" "${best%% *}"; then best="$line"; fi
  done
  read -r t m <<<"$best"
  per_item=$(awk -v t="$t" -v n="$items" 'BEGIN { printf "%.2f", t * 1000 / n }')
  [[ -z "$per_item_100" ]] && per_item_100=$per_item
  echo "   $(printf '%5d' "$items") items   ${t} s   peak RSS ${m} MB   ${per_item} ms per item ($(ratio "$per_item" "$per_item_100")x the 100-item meeting's)"
done
