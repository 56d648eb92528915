#!/usr/bin/env bash
# Measures the ground floor: binary size, cold start on an empty database (exec → /readyz answers),
# and idle memory (RSS) of `warta serve` 10 s after start. Medians of 5 runs, SQLite in a temp folder.
# Usage: bench/ground.sh   (from the repository root; needs curl)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/warta" ./cmd/warta
go build -ldflags="-s -w" -o "$tmp/warta-stripped" ./cmd/warta
echo "binary size: $(du -b "$tmp/warta" | cut -f1) bytes ($(du -h "$tmp/warta" | cut -f1)); stripped (-ldflags='-s -w'): $(du -h "$tmp/warta-stripped" | cut -f1)"

port=18765
starts=(); rss=()
for i in 1 2 3 4 5; do
  rm -rf "$tmp/data"
  t0=$(date +%s%N)
  WARTA_ADDR=127.0.0.1:$port "$tmp/warta" serve --data "$tmp/data" >"$tmp/log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
  t1=$(date +%s%N)
  starts+=($(( (t1 - t0) / 1000000 )))
  sleep 10
  rss+=($(awk '/VmRSS/ {print $2}' /proc/$pid/status))
  kill $pid; wait $pid 2>/dev/null || true
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
echo "cold start on an empty database (exec → /readyz 200), runs: ${starts[*]} ms; median $(median "${starts[@]}") ms"
echo "idle RSS 10 s after start, runs: ${rss[*]} KiB; median $(( $(median "${rss[@]}") / 1024 )) MiB"
