"""List every snapshot of a repository with the official client (elasticsearch 7.17).
usage: list_elasticsearch.py URL REPOSITORY"""
import sys

from elasticsearch import Elasticsearch

url, repo = sys.argv[1:3]
es = Elasticsearch(url, timeout=600)
for s in es.snapshot.get(repository=repo, snapshot="_all")["snapshots"]:
    print(s["snapshot"], s["state"], s.get("start_time"), len(s["indices"]))
