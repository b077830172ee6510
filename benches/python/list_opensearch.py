"""List every snapshot of a repository with the official client (opensearch-py).
usage: list_opensearch.py URL REPOSITORY"""
import sys

from opensearchpy import OpenSearch

url, repo = sys.argv[1:3]
client = OpenSearch(url, timeout=600)
for s in client.snapshot.get(repository=repo, snapshot="_all")["snapshots"]:
    print(s["snapshot"], s["state"], s.get("start_time"), len(s["indices"]))
