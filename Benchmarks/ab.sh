#!/usr/bin/env bash
# Side-by-side (A/B) run of two `anyio-bench` builds, interleaved so that the machine's drift hits
# both alike; prints the median ops/s of each and their ratio (B ÷ A) per workload.
#
#   A=/path/to/old/anyio-bench B=Benchmarks/.build/release/anyio-bench \
#       bash Benchmarks/ab.sh 9 checkpoint:1000000 cancel:200000 start:200000 scope:200000 lock:1000000
#
# Build the old one from a clone of the commit to compare with:
#   git clone -q . ../base && (cd ../base && git checkout -q <commit> &&
#       swift build -c release --package-path Benchmarks --product anyio-bench)
set -euo pipefail
reps=$1; shift
: "${A:?set A to the baseline anyio-bench}" "${B:?set B to the anyio-bench to compare}"
for workload in "$@"; do
    name=${workload%%:*}; n=${workload##*:}
    a=(); b=()
    for _ in $(seq "$reps"); do
        a+=("$("$A" "$name" "$n" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_per_s"])')")
        b+=("$("$B" "$name" "$n" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_per_s"])')")
    done
    python3 - "$name" "${a[*]}" "${b[*]}" <<'PY'
import statistics, sys
name, a, b = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"{name:12s} A {ma:>12,.0f}  B {mb:>12,.0f}  B/A {mb / ma:.3f}")
PY
done
