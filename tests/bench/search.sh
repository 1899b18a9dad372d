#!/usr/bin/env bash
# scripts/bench's search latency: each query of the list, ROUNDS times, one at a time (curl),
# as a signed-in reader. Prints SEARCH_P50_MS=… SEARCH_P95_MS=… SEARCH_MAX_MS=… SEARCH_N=…;
# any answer but 200 fails the run.
#   tests/bench/search.sh BASE COOKIE [ROUNDS]
set -euo pipefail
base=$1 cookie=$2 rounds=${3:-5}
# Common pairs, a phrase, rare words, a word no post has, and stop words with a common word.
queries=(pain+dyspnea goals+care family+meeting serious+news '%22breakthrough+pain%22'
         methadone+seizure hiccups+ritual remembrance xyzzy the+patient)
times=()
for _ in $(seq "$rounds"); do
  for q in "${queries[@]}"; do
    out=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}' -H "Cookie: $cookie" "$base/search?q=$q") || out="000 0"
    [ "${out%% *}" = 200 ] || { echo "search.sh: /search?q=$q answered ${out%% *}" >&2; exit 1; }
    times+=("${out#* }")
  done
done
printf '%s\n' "${times[@]}" | awk '{ print $1 * 1000 }' | sort -n |
  awk '{ v[NR] = $1 } END { p50 = v[int((NR + 1) * 0.5)]; i = int(NR * 0.95 + 0.999); if (i > NR) i = NR;
        printf "SEARCH_P50_MS=%.1f\nSEARCH_P95_MS=%.1f\nSEARCH_MAX_MS=%.1f\nSEARCH_N=%d\n", p50, v[i], v[NR], NR }'
