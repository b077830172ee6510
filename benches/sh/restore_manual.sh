#!/usr/bin/env bash
# The manual procedure: close each index of the snapshot with `POST <index>/_close`, one curl per index,
# then the restore POST, waiting for it (`wait_for_completion=true` answers once every shard is restored).
# usage: restore_manual.sh URL REPOSITORY SNAPSHOT INDEX-LIST-FILE
set -euo pipefail
url=$1 repo=$2 snap=$3 list=$4
total=$(wc -l < "$list")
closed=0
start=${EPOCHREALTIME%.*}
while read -r index; do
  curl -sS -f -o /dev/null -X POST "$url/$index/_close"
  closed=$((closed + 1))
  # not part of the procedure: the bench's time cap (BENCH_CLOSE_CAP_S); the bench projects the remaining closes
  if (( ${BENCH_CLOSE_CAP_S:-0} > 0 && closed < total && ${EPOCHREALTIME%.*} - start >= ${BENCH_CLOSE_CAP_S:-0} )); then
    echo "CAPPED $closed $total"
    exit 3
  fi
done < "$list"
curl -sS -f -o /dev/null -X POST "$url/_snapshot/$repo/$snap/_restore?wait_for_completion=true" \
  -H 'content-type: application/json' -d '{"include_global_state":false}'
