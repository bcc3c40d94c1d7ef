#!/usr/bin/env bash
# Benchmark: udvalg against a parallel loop of the typst CLI on the same documents, for the
# built-in plan and a synthetic municipality-year; plus no-op and one-item rebuilds and peak
# memory. Prints figures; asserts nothing. Usage: bench/run.sh [--small] [--runs N]
#   --small   a smaller synthetic plan (5 committees) for a quick look
#   --runs N  run each full build N times and report the fastest (default 3): on a shared
#             machine one run can be 20% off
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

cargo build --release --quiet
UDVALG="$PWD/target/release/udvalg"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs udvalg and prints "seconds peak-RSS-MB". A large build renders in worker processes, so
# the peak is the sum of each process's own peak (VmHWM), read every 20 ms with shell builtins
# only, so that sampling takes no CPU from the build.
measure() {
  local start end pid p key value children
  local -A peak=()
  start=$(now)
  "$@" >"$WORK/last.out" 2>/dev/null &
  pid=$!
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
  wait "$pid"
  end=$(now)
  local total=0
  for p in "${!peak[@]}"; do total=$((total + peak[$p])); done
  echo "$(secs "$start" "$end") $((total / 1024))"
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

# The same documents with the typst CLI: one process per document, $CORES at a time.
typst_loop() {
  local plan_args=("$@")
  local root
  root=$(mktemp -d "$WORK/typst-root.XXXX")
  cp -r templates "$root/templates"
  "$UDVALG" "${plan_args[@]}" views "$root" >/dev/null
  mkdir -p "$root/out"
  local start end
  start=$(now)
  awk -F'\t' '{ print NR "\t" $1 "\t" $2 }' "$root/jobs.tsv" |
    xargs -P "$CORES" -d '\n' -n 1 bash -c '
      IFS=$'"'"'\t'"'"' read -r n template view <<<"$1"
      "'"$TYPST"'" compile --root "'"$root"'" --font-path "'"$root"'/templates/fonts" \
        --ignore-system-fonts --pdf-standard a-2b,ua-1 --input "view=$view" \
        "'"$root"'/templates/$template" "'"$root"'/out/$n.pdf"' _
  end=$(now)
  local made
  made=$(find "$root/out" -name '*.pdf' | wc -l)
  echo "$(secs "$start" "$end") $(wc -l <"$root/jobs.tsv") $made"
}

bench_plan() {
  local name="$1" plan_dir="$2"
  ITEM_FILE="$plan_dir/$3" ITEM_FROM="$4" ITEM_TO="$5"
  local base="$WORK/out-$name" out=""
  local plan_args=(--plan "$plan_dir")

  # One thread and all cores in turn, so that a slow spell of the machine hits both alike.
  # Each full build is also compared with the one-thread build just before it: a pair shares
  # the machine's spell, where the fastest of each can come from different spells.
  local serial="" serial_work="" full="" rss="" work="" t s m w sw pairs="" same="" run
  for run in $(seq "$RUNS"); do
    read -r s _ sw < <(fresh_build "$base-one-thread-$run" "${plan_args[@]}" --jobs 1)
    if faster "$s" "$serial"; then serial=$s; fi
    if faster "$sw" "$serial_work"; then serial_work=$sw; fi
    out="$base-$run"
    read -r t m w < <(fresh_build "$out" "${plan_args[@]}")
    if faster "$t" "$full"; then full=$t rss=$m work=$w; fi
    pairs="$pairs $(awk -v t="$t" -v s="$s" -v c="$CORES" 'BEGIN { printf "%.2f", t / (s / c) }')"
    same="$same $(ratio "$t" "$w")"
  done
  read -r noop _ < <(fastest measure "$UDVALG" "${plan_args[@]}" --out "$out" build)
  read -r one _ < <(fastest edit_and_build "$out" "${plan_args[@]}")
  local rerendered
  rerendered=$(head -1 "$WORK/last.out")
  read -r cli docs made < <(fastest typst_loop "${plan_args[@]}")
  local limit
  limit=$(awk -v s="$serial" -v c="$CORES" 'BEGIN { printf "%.2f", s / c }')

  echo
  echo "== $name: $docs documents, $CORES cores, fastest of $RUNS runs"
  echo "   udvalg full build            ${full} s   peak RSS ${rss} MB (all processes)"
  echo "   udvalg one thread            ${serial} s   (limit = one thread / cores = ${limit} s; full build is $(ratio "$full" "$limit")x the limit)"
  echo "   compile + export / cores     ${work} s   (summed over the full build's layouts; the full build is $(ratio "$full" "$work")x this)"
  echo "     the same, one thread         $(awk -v w="$serial_work" -v c="$CORES" 'BEGIN { printf "%.2f", w / c }') s   (summed over the one-thread build's layouts, none running beside another; the full build is $(awk -v f="$full" -v w="$serial_work" -v c="$CORES" 'BEGIN { printf "%.2f", f / (w / c) }')x this)"
  echo "   run by run, full build /     one thread / cores:${pairs} (median $(median <<<"$pairs")x);"
  echo "                                own compile + export / cores:${same} (median $(median <<<"$same")x)"
  echo "   typst CLI, $CORES in parallel     ${cli} s   (udvalg is $(ratio "$cli" "$full")x faster; the CLI wrote $made of $docs PDFs)"
  echo "   no-op rebuild                ${noop} s"
  echo "   one agenda item changed      ${one} s   (the full typst CLI loop is $(ratio "$cli" "$one")x slower)"
  echo "   ($rerendered)"
}

cp -r plans/udsattestrategi "$WORK/default"
bench_plan "built-in plan" "$WORK/default" meetings.toml \
  "Administrationen har samlet pointerne" "Administrationen har nu samlet pointerne"

"$UDVALG" synthetic "$WORK/synthetic" --committees "$COMMITTEES" >/dev/null
bench_plan "synthetic municipality-year ($COMMITTEES committees x 11 meetings x 15 items)" \
  "$WORK/synthetic" meetings.toml "Kvalitetsrapport 1\"" "Kvalitetsrapport 1 (rettet)\""
