"""Restore a whole snapshot over open indices with the official client (elasticsearch 7.17):
close the snapshot's open indices one by one, then restore and wait for it.
usage: restore_elasticsearch.py URL REPOSITORY SNAPSHOT"""
import os
import sys
import time

from elasticsearch import Elasticsearch

url, repo, snap = sys.argv[1:4]
es = Elasticsearch(url, timeout=600)
cap = float(os.environ.get("BENCH_CLOSE_CAP_S") or 0)  # the bench's time cap, not part of the procedure
start = time.monotonic()

indices = es.snapshot.get(repository=repo, snapshot=snap)["snapshots"][0]["indices"]
open_now = {row["index"] for row in es.cat.indices(format="json", h="index,status") if row["status"] == "open"}
to_close = [i for i in indices if i in open_now]
for n, index in enumerate(to_close, 1):
    es.indices.close(index=index)
    if cap and n < len(to_close) and time.monotonic() - start >= cap:
        print(f"CAPPED {n} {len(to_close)}")
        sys.exit(3)
es.snapshot.restore(repository=repo, snapshot=snap, body={"include_global_state": False}, wait_for_completion=True)
