"""Decisions through the HTTP API under load: throughput, latency, and that none is lost.

A fresh queue of synthetic comments, one moderator account and API token per client, and the app
on a free loopback port (uvicorn in this process, one worker). Each client posts its decisions
over its own keep-alive connection, one at a time (``POST /api/decisions``): most to items of its
own share of the queue, and the last ten to the same ten items as every other client (with
``"override": true``, so each is appended to the history, under contention on the same rows).
At the end every post must have got 201 and the database must hold exactly ``clients x
decisions`` decisions: one per item of a client's own share, one per client on each shared item.

Run as ``python -m benchmarks.bench_serve [--clients 20] [--decisions 50]``.
"""
from __future__ import annotations

import argparse
import http.client
import json
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

from discourse.moderation.queue import ReviewQueue
from discourse.serve.auth import Users
from discourse.serve.live import LiveServer

SHARED = 10  # items every client decides (with override): each must end with one decision per client


def make_queue(db: Path, n_items: int, clients: int) -> list[str]:
    comments = pd.DataFrame({
        "thread_id": [f"t{i % 25}" for i in range(n_items)], "comment_id": [f"c{i}" for i in range(n_items)],
        "author": [f"reader{i % 97}" for i in range(n_items)],
        "text": [f"synthetic comment {i} about the article" for i in range(n_items)],
        "parent_id": [None] * n_items, "position": list(range(n_items)),
        "triage_priority": [((i * 7919) % 1000) / 1000 for i in range(n_items)], "triage_reasons": [""] * n_items,
    })
    with ReviewQueue(db) as q:
        q.add(comments, mode="fast")
        fps = [r["fingerprint"] for r in q.items()]
    with Users(db) as users:
        tokens = []
        for k in range(clients):
            users.add(f"mod{k}", "moderator", f"password-{k}-long")
            tokens.append(users.new_token(f"mod{k}"))
    return fps, tokens


def client(port: int, token: str, own: list[str], shared: list[str], out: dict) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    lat, codes = [], []
    for i, qid in enumerate(own + shared):
        body = json.dumps({"queue_id": qid, "decision": "reject" if i % 3 == 0 else "approve", "note": f"n{i}",
                           "override": qid in shared})
        start = time.perf_counter()
        conn.request("POST", "/api/decisions", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        lat.append(time.perf_counter() - start)
        codes.append(resp.status)
    conn.close()
    out["latencies"] += lat
    out["codes"] += codes


def run(clients: int = 20, decisions: int = 50, folder: str | None = None) -> dict:
    """Returns the figures and the counts the check needs."""
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        db = Path(tmp) / "bench.sqlite"
        fps, tokens = make_queue(db, clients * decisions + SHARED, clients)
        shared, own = fps[:SHARED], fps[SHARED:]
        # each client: decisions - SHARED of its own items, then the SHARED ones
        per = decisions - SHARED
        out = {"latencies": [], "codes": []}
        with LiveServer(db) as server:
            workers = [threading.Thread(target=client, args=(server.port, tokens[k], own[k * per:(k + 1) * per],
                                                             shared, out)) for k in range(clients)]
            start = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            wall = time.perf_counter() - start
        con = sqlite3.connect(db)
        recorded = con.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
        per_item = dict(con.execute("SELECT fingerprint, COUNT(*) FROM decisions GROUP BY fingerprint").fetchall())
        con.close()
    lat = sorted(out["latencies"])
    return {
        "clients": clients, "posts": len(lat), "created": out["codes"].count(201),
        "conflicts": out["codes"].count(409), "other": len(lat) - out["codes"].count(201) - out["codes"].count(409),
        "recorded": recorded, "own_ok": all(per_item.get(fp) == 1 for fp in own[:clients * per]),
        "shared_ok": all(per_item.get(fp) == clients for fp in shared), "wall_s": wall, "throughput": len(lat) / wall,
        "p50_ms": 1000 * statistics.median(lat), "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--decisions", type=int, default=50, help=f"posts per client (at least {SHARED + 1})")
    args = ap.parse_args(argv)
    if args.decisions <= SHARED:
        ap.error(f"--decisions must be more than {SHARED}")
    r = run(args.clients, args.decisions)
    print(f"{r['clients']} clients, {r['posts']} POST /api/decisions: {r['created']} recorded (201), "
          f"{r['conflicts']} refused as already decided (409), {r['other']} other; "
          f"decisions in the database: {r['recorded']} (one per own item: {r['own_ok']}; one per client on each "
          f"shared item: {r['shared_ok']})")
    print(f"throughput {r['throughput']:.0f} decisions/s over {r['wall_s']:.2f} s; latency p50 {r['p50_ms']:.1f} ms, "
          f"p95 {r['p95_ms']:.1f} ms")
    ok = r["recorded"] == r["created"] == args.clients * args.decisions and r["own_ok"] and r["shared_ok"]
    if not ok:
        print("bench_serve: decisions lost or doubled", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
