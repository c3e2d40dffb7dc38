#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets with AddressSanitizer and runs each for a bounded time
# (FUZZ_SECONDS, default 60) from the committed seed corpus in Fuzz/corpus/<name>. A crash stops
# with its input saved under .build-fuzz/artifacts/: turn it into a regression test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-60}
scratch=.build-fuzz
# swiftc's default coverage mode is one today's libFuzzer refuses; ask for the one it expects.
flags=(--scratch-path "$scratch" --sanitize=fuzzer --sanitize=address
       -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp)
targets=(form:FuzzForm cookies:FuzzCookies request:FuzzRequest service-url:FuzzServiceURL pskc:FuzzPSKC)
mkdir -p "$scratch/artifacts"
for entry in "${targets[@]}"; do
  corpus=${entry%%:*} product=${entry##*:}
  APPLIANCE_FUZZ=1 swift build "${flags[@]}" --product "$product" 2>&1 | grep -v "ld.gold: warning" | tail -1
  work="$scratch/corpus/$corpus"
  mkdir -p "$work"
  cp -n "Fuzz/corpus/$corpus"/* "$work"/ 2>/dev/null || true
  echo "fuzzing $product for ${seconds}s"
  if ! "$scratch/debug/$product" "$work" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
      -artifact_prefix="$scratch/artifacts/$corpus-" -print_final_stats=1 2>"$scratch/$corpus.log"; then
    tail -30 "$scratch/$corpus.log"
    echo "CRASH in $product: input saved in $scratch/artifacts/" >&2
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$scratch/$corpus.log" | tr '\n' ' '
  echo "corpus: $(ls "$work" | wc -l) inputs"
done
