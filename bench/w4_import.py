"""W4: end-to-end 1210 bonded imports per second, through the running topology.

An import is the order (CEB311), payment (CEB411), waybill (CEB511) and import list
(CEB621) of one parcel, drawn from an account book stocked by a first-line entry; it ends
when the declaring agent can pull both the list's 800 (放行) receipt and its tax bill
(CEB816). Prints imports/s and the p50/p99 time from the first message to the end.

    .venv/bin/python -m bench.w4_import [--imports 2000] [--workers 1] [--gateway-processes 1]
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

from bench import loadgen
from bench.loadgen import CpuSplit, Result, jobs_done, post_all
from contracts import examples_import as ei
from launcher.testing import running_topology

TARGET = 300


def register_all(base: str, admin: str) -> dict[str, str]:
    keys = {}
    for code, roles in ei.IMPORT_ROLES.items():
        body = json.dumps({"code": code, "name": ei.IMPORT_NAMES[code], "roles": roles})
        keys[code] = _post(f"{base}/api/v1/enterprises", body, admin)["apiKey"]
    return keys


def stock(base: str, key: str, imports: int) -> None:
    """A first-line entry with two jars of face cream per import."""
    _post(f"{base}/api/v1/account-books/{ei.EMS_NO}/entries",
          json.dumps(ei.entry(str(2 * imports))), key)


def _post(url: str, body: str, key: str) -> Any:
    request = urllib.request.Request(url, data=body.encode(), headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def build(count: int, keys: dict[str, str]) -> tuple[list[tuple[bytes, dict[str, str]]],
                                                     dict[str, int]]:
    """Every message in submission order, and list record guid → import number."""
    messages: list[tuple[bytes, dict[str, str]]] = []
    guids: dict[str, int] = {}
    for n in range(1, count + 1):
        for mirror in ei.import_flow(n, "1210"):
            if mirror["messageType"] == "CEB621Message":
                guids[mirror["Inventory"][0]["InventoryHead"]["guid"]] = n
            sender = ei.sender_of(mirror)
            messages.append((ei.as_xml(mirror), {"Authorization": f"Bearer {keys[sender]}"}))
    return messages, guids


class Watcher(threading.Thread):
    """Pulls the agent's receipts; an import is done once its 800 and its CEB816 are seen."""

    def __init__(self, base: str, key: str, guids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.base, self.key, self.guids = base, key, guids
        self.released: set[int] = set()
        self.billed: set[str] = set()
        self.done: dict[int, float] = {}
        self.invt_nos: dict[int, str] = {}
        self.stop = False

    def run(self) -> None:
        cursor = "0"
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop and len(self.done) < len(self.guids):
                body = client.get("/api/v1/receipts", params={"after": cursor, "limit": 1000},
                                  headers={"Authorization": f"Bearer {self.key}"}).json()
                cursor = body["next"]
                now = time.perf_counter()
                for receipt in body["receipts"]:
                    self._see(receipt)
                for n in self.released - set(self.done):
                    if self.invt_nos.get(n) in self.billed:
                        self.done[n] = now
                if not body["receipts"]:
                    time.sleep(0.02)

    def _see(self, receipt: dict[str, Any]) -> None:
        message = receipt["message"]
        if receipt["messageType"] == "CEB816Message":
            self.billed.add(message["Tax"][0]["TaxHeadRd"]["invtNo"])
            return
        n = self.guids.get(receipt["recordGuid"])
        if n is None or receipt["messageType"] != "CEB622Message":
            return
        record = message["InventoryReturn"][0]
        if record.get("invtNo"):
            self.invt_nos[n] = record["invtNo"]
        if receipt["returnStatus"] == "800":
            self.released.add(n)


def run(work: Path, imports: int, workers: int, concurrency: int, gateway_processes: int = 1,
        servers: Mapping[str, str] | None = None,
        ) -> tuple[Result, list[float], float, int, CpuSplit]:
    # no list held for an officer
    env = {"SW_INSPECTION_RANDOM_SELECTION": "false", **(servers or {})}
    with running_topology(work, env, workers=workers,
                          gateway_processes=gateway_processes) as topo:
        keys = register_all(topo.gateway_url, topo.admin_token)
        stock(topo.gateway_url, keys[ei.WAREHOUSE], imports)
        messages, guids = build(imports, keys)
        url = urlsplit(topo.gateway_url)
        watcher = Watcher(topo.gateway_url, keys[ei.AGENT], guids)
        cpu = CpuSplit(topo.pids())
        cpu.start()
        started = time.perf_counter()
        watcher.start()
        result = asyncio.run(post_all(url.hostname or "127.0.0.1", url.port or 80,
                                      "/api/v1/messages", messages,
                                      {"Content-Type": "application/xml"}, concurrency,
                                      "W4 submit"))
        watcher.join(timeout=600)
        watcher.stop = True
        cpu.stop()
        cpu.jobs = jobs_done(topo.redis_url, ("customs", "inspection", "tax", "gateway"))
        elapsed = max(watcher.done.values(), default=time.perf_counter()) - started
        times = [t - started for t in watcher.done.values()]
        return result, times, elapsed, len(watcher.released), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--imports", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--gateway-processes", type=int, default=1)
    loadgen.add_backend_options(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            loadgen.backend_of(parser, args) as servers:
        submit, times, elapsed, released, cpu = run(Path(tmp), args.imports, args.workers,
                                               args.concurrency, args.gateway_processes,
                                               servers)
    done = len(times)
    rate = done / elapsed if elapsed else 0.0
    ordered = sorted(times)
    p50 = ordered[len(ordered) // 2] if ordered else 0.0
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
    print(submit.line())
    print(f"W4 imports released with their tax bill {done} of {args.imports} (800 seen: "
          f"{released}) in {elapsed:.2f} s: {rate:.0f} imports/s  time to the end p50 "
          f"{p50:.2f} s  p99 {p99:.2f} s  (target >= {TARGET} imports/s)")
    print(cpu.line(done or 1, "import"))
    print("jobs per import: " + "  ".join(f"{name} {count / args.imports:.2f}"
                                          for name, count in cpu.jobs.items()))


if __name__ == "__main__":
    main()
