"""W2: end-to-end 9610 export flows per second, through the running topology.

A flow is the order, payment receipt, waybill and inventory list of one parcel, and its
share of an arrival message (one per ``--per-arrival`` parcels); it ends when the list's
800 (放行) receipt can be pulled from the gateway. Prints flows/s and the p50/p99 time
from a flow's first message to its release, and runs W1's baseline in the same process
for the ratio.

    .venv/bin/python -m bench.w2_export [--flows 2000] [--workers 2] [--gateway-processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.loadgen import (
    CpuSplit,
    Result,
    add_backend_options,
    backend_of,
    jobs_done,
    post_all,
)
from bench.w1_intake import make_bodies, run_baseline
from contracts import examples
from launcher.testing import running_topology


def register_all(base: str, admin: str) -> dict[str, str]:
    keys = {}
    for code, roles in examples.ROLES.items():
        body = json.dumps({"code": code, "name": examples.NAMES[code], "roles": roles}).encode()
        request = urllib.request.Request(f"{base}/api/v1/enterprises", data=body, headers={
            "Authorization": f"Bearer {admin}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            keys[code] = json.load(response)["apiKey"]
    return keys


def build_flows(count: int, per_arrival: int, keys: dict[str, str]
                ) -> tuple[list[tuple[bytes, dict[str, str]]], dict[str, int], dict[int, int]]:
    """Every message in submission order, list record guid → flow, flow → its first
    message's position."""
    messages: list[tuple[bytes, dict[str, str]]] = []
    guids: dict[str, int] = {}
    first: dict[int, int] = {}
    for start in range(0, count, per_arrival):
        parcels = list(range(start + 1, min(start + per_arrival, count) + 1))
        for n in parcels:
            first[n] = len(messages)
            for mirror in examples.export_flow(n):
                if mirror["messageType"] == "CEB603Message":
                    guids[mirror["Inventory"][0]["InventoryHead"]["guid"]] = n
                messages.append(_signed(mirror, keys))
        messages.append(_signed(examples.arrival(parcels, bill=f"BILL{start:04d}"), keys))
    return messages, guids, first


def _signed(mirror: dict[str, Any], keys: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    sender = examples.sender_of(mirror)
    return examples.as_xml(mirror), {"Authorization": f"Bearer {keys[sender]}"}


class ReleaseWatcher(threading.Thread):
    """Pulls the agent's receipts and notes when each list's 800 is seen."""

    def __init__(self, base: str, key: str, guids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.base, self.key, self.guids = base, key, guids
        self.released: dict[int, float] = {}
        self.stop = False

    def run(self) -> None:
        cursor = "0"
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop and len(self.released) < len(self.guids):
                body = client.get("/api/v1/receipts", params={"after": cursor, "limit": 1000},
                                  headers={"Authorization": f"Bearer {self.key}"}).json()
                cursor = body["next"]
                now = time.perf_counter()
                for receipt in body["receipts"]:
                    flow = self.guids.get(receipt["recordGuid"])
                    if flow is not None and receipt["returnStatus"] == "800":
                        self.released[flow] = now
                if not body["receipts"]:
                    time.sleep(0.02)


def run_flows(work: Path, flows: int, per_arrival: int, workers: int,
              concurrency: int, gateway_processes: int = 1,
              servers: Mapping[str, str] | None = None,
              ) -> tuple[Result, list[float], float, CpuSplit]:
    # no random inspection: a selected list would wait for an officer, not for the machine
    env = {"SW_INSPECTION_RANDOM_SELECTION": "false", **(servers or {})}
    with running_topology(work, env, workers=workers,
                          gateway_processes=gateway_processes) as topo:
        keys = register_all(topo.gateway_url, topo.admin_token)
        messages, guids, first = build_flows(flows, per_arrival, keys)
        url = urlsplit(topo.gateway_url)
        watcher = ReleaseWatcher(topo.gateway_url, keys[examples.AGENT], guids)
        cpu = CpuSplit(topo.pids())
        cpu.start()
        started = time.perf_counter()
        watcher.start()
        headers = {"Content-Type": "application/xml"}
        result = asyncio.run(post_all(url.hostname or "127.0.0.1", url.port or 80,
                                      "/api/v1/messages", messages, headers, concurrency,
                                      "W2 submit"))
        watcher.join(timeout=300)
        watcher.stop = True
        cpu.stop()
        cpu.jobs = jobs_done(topo.redis_url, ("customs", "inspection", "gateway"))
        elapsed = max(watcher.released.values(), default=time.perf_counter()) - started
        times = [watcher.released[n] - result.sent_at[first[n]] for n in watcher.released]
        return result, times, elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flows", type=int, default=2000)
    parser.add_argument("--per-arrival", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--gateway-processes", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=64)
    add_backend_options(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            backend_of(parser, args) as servers:
        work = Path(tmp)
        submit, times, elapsed, cpu = run_flows(work, args.flows, args.per_arrival, args.workers,
                                           args.concurrency, args.gateway_processes, servers)
        warm = make_bodies(500, offset=20_000_000)
        base = run_baseline(work, make_bodies(5000), warm, args.concurrency)
    released = len(times)
    rate = released / elapsed if elapsed else 0.0
    ordered = sorted(times)
    p50 = ordered[len(ordered) // 2] if ordered else 0.0
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
    print(submit.line())
    print(base.line())
    print(f"W2 flows released {released} of {args.flows} in {elapsed:.2f} s: {rate:.0f} flows/s"
          f"  time to release p50 {p50:.2f} s  p99 {p99:.2f} s  (target >= 400 flows/s)")
    print(f"W2 ratio to baseline (flows/s ÷ baseline requests/s): "
          f"{rate / base.per_second:.3f}; a flow is {len(submit.latencies) / args.flows:.2f}"
          f" requests")
    print(cpu.line(released or 1, "released flow"))
    print("jobs per flow (batches are larger the smaller this is): " + "  ".join(
        f"{name} {count / args.flows:.2f}" for name, count in cpu.jobs.items()))


if __name__ == "__main__":
    main()
