#!/usr/bin/env bash
# Profiles FasterAPI's hot path under load: server pinned to core 0 with one interpreter,
# wrk on core 1, `perf record` (software cpu-clock sampling, so it works in VMs without
# hardware counters) on the server for a few seconds. Prints where the time goes by
# thread, by library and by symbol.
#
#   benchmarks/profile.sh [PYTHON] [ENDPOINT]     e.g. benchmarks/profile.sh .nox/bench/bin/python /json
set -euo pipefail
python=${1:-python3}
endpoint=${2:-/json}
here=$(cd "$(dirname "$0")" && pwd)
data=$(mktemp -d)/perf.data
port=8491
cd "$(dirname "$data")"   # not the repository root: the source tree would shadow the wheel
taskset -c 0 "$python" -m fasterapi run "$here/apps/fasterapi_app.py" --port $port \
    --interpreters 1 --io-threads 1 --log-level warning --no-access-log &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
sleep 1.5
taskset -c 1 wrk -t1 -c64 -d8s "http://127.0.0.1:$port$endpoint" | grep -E "Requests/sec" &
sleep 2
perf record -q -e cpu-clock -g -p $server -o "$data" -- sleep 4 >/dev/null 2>&1
wait %2
echo "== by thread"
perf report -i "$data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' | head -5
echo "== by thread and library"
perf report -i "$data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep '%' | head -10
echo "== top symbols"
perf report -i "$data" --no-children --sort comm,symbol --stdio -g none 2>/dev/null | grep '%' | head -30
