#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 300), one after the other, on one core:
#   fuzz/run.sh [SECONDS]
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The seed corpus is
# written by fuzz/seed.sh on the first run; each target's corpus grows under fuzz/corpus/TARGET,
# a crash, hang (-timeout) or abort is kept under fuzz/artifacts/TARGET/ and stops the run.
# Reproduce one with `cargo +nightly fuzz run -s none TARGET fuzz/artifacts/TARGET/FILE`.
# Each run's libFuzzer log is fuzz/logs/TARGET.log; the last lines say how many inputs ran.
set -euo pipefail
seconds="${1:-300}"
cd "$(dirname "$0")"
[ -f plan.dict ] && [ -d corpus/plan_load ] || ./seed.sh
mkdir -p logs
# No sanitizer: the crate has no unsafe code of its own to check, and without one the targets
# build faster and run about twice as fast. Debug assertions (overflow checks) stay on.
cargo +nightly fuzz build -s none
for target in plan_load markup; do
  dict=()
  [ "$target" = plan_load ] && dict=(-dict=plan.dict)
  before=$(ls "corpus/$target" | wc -l)
  echo "== $target for $seconds s (corpus: $before files)"
  set +e
  cargo +nightly fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    "${dict[@]}" >"logs/$target.log" 2>&1
  status=$?
  set -e
  grep -E 'ERROR|panicked|Test unit written|^stat::number_of_executed_units|^Done' "logs/$target.log" || true
  after=$(ls "corpus/$target" | wc -l)
  echo "== $target: exit $status; corpus $before -> $after files ($(du -sh "corpus/$target" | cut -f1)); $(grep -E '^Done [0-9]+ runs' "logs/$target.log" || echo 'no summary')"
  [ "$status" -eq 0 ] || exit "$status"
done
