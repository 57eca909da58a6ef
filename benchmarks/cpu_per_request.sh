#!/bin/bash
# Server CPU time per request, a measure steadier than throughput on a drifting VM.
# Usage (from benchmarks/apps, FasterAPI installed in the active Python):
#   ../cpu_per_request.sh MODULE:APP PORT ENDPOINT...
# For each endpoint, three rounds: a 1 s warm-up, then a 4 s `wrk -t1 -c64` run; prints the
# server's user+system CPU time (from /proc/PID/stat) divided by the requests served.
set -euo pipefail
app=$1 port=$2
shift 2
python -m fasterapi run "$app" --port "$port" --interpreters 2 --io-threads 1 \
    --log-level warning --no-access-log >/dev/null 2>&1 &
server=$!
trap 'kill -INT $server; wait $server' EXIT
sleep 2
ticks=$(getconf CLK_TCK)
for round in 1 2 3; do
    for endpoint in "$@"; do
        wrk -t1 -c64 -d1s "http://127.0.0.1:$port$endpoint" >/dev/null
        before=$(awk '{print $14 + $15}' "/proc/$server/stat")
        requests=$(wrk -t1 -c64 -d4s "http://127.0.0.1:$port$endpoint" |
            awk '/requests in/ {print $1}')
        after=$(awk '{print $14 + $15}' "/proc/$server/stat")
        awk -v b="$before" -v a="$after" -v t="$ticks" -v r="$requests" \
            -v e="$endpoint" -v n="$round" \
            'BEGIN {printf "%s round %d: %d requests, %.2f us CPU per request\n", e, n, r, (a - b) / t * 1e6 / r}'
    done
done
