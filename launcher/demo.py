"""``singlewindow demo export-9610``: the 9610 export, message by message, for class.

Registers the five parties (keeping the keys the gateway shows once), sends the order,
payment receipt, waybill and list, waits for 399, sends the arrival (800) and the
departure (899), and shows every message sent and every receipt as it comes.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from contracts import examples
from launcher.trainer import (
    KEYS_FILE,
    POLL_SECONDS,
    Feed,
    Gateway,
    TrainerError,
    beijing,
    receipt_cells,
    record_label,
    record_of,
    refused,
    row_style,
    status_text,
)

DEMO_COLUMNS = (("time", 8), ("enterprise", 10), ("message", 8), ("record", 11),
                ("returnStatus", 16), ("returnInfo", 0))  # the last folds


@dataclass
class DemoOptions:
    data_dir: Path
    parcels: int = 1
    as_json: bool = False
    step: bool = False
    reset: bool = False
    timeout: float = 30.0


class DemoKeys:
    """The API keys the demo got (the gateway shows a key only once) and its next parcel
    number, per gateway, kept in ``<data_dir>/demo-keys.json`` (owner-readable only)."""

    def __init__(self, path: Path, gateway: str) -> None:
        self.path, self.gateway = path, gateway
        try:
            self.all: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        except (OSError, ValueError) as exc:
            raise TrainerError(f"cannot read {path} ({exc}); delete it and run with --reset"
                               ) from exc
        entry = self.all.get(gateway, {})
        self.keys: dict[str, str] = dict(entry.get("keys", {}))
        self.next_parcel = int(entry.get("nextParcel", 1))

    def save(self) -> None:
        self.all[self.gateway] = {"keys": self.keys, "nextParcel": self.next_parcel}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.touch(mode=0o600)
        tmp.write_text(json.dumps(self.all, indent=2) + "\n")
        os.replace(tmp, self.path)


def ensure_parties(gw: Gateway, store: DemoKeys, console: Console) -> dict[str, str]:
    """Every party of the flow with a working API key: the stored one, or a new one."""
    for code, roles in examples.ROLES.items():
        if (key := store.keys.get(code)) and gw.key_works(key):
            continue
        store.keys.pop(code, None)
        new_key = gw.register(code, roles)
        if new_key is None:
            store.save()
            raise TrainerError(
                f"{code} is already registered on the simulator at {gw.url}, but its API key "
                f"is not in {store.path} (a key is shown only once). Run again with --reset: "
                "it clears the simulator, enterprises included, and registers the parties anew")
        store.keys[code] = new_key
        store.save()
        console.print(f"registered {code} {examples.NAMES[code]} ({', '.join(roles)})")
    return dict(store.keys)


class Watch:
    """Every party's new receipts about the records the demo sent, printed as they come."""

    def __init__(self, gw: Gateway, keys: dict[str, str], feed: Feed) -> None:
        self.gw, self.keys, self.feed = gw, keys, feed
        self.cursors = {code: gw.end_cursor(key) for code, key in keys.items()}
        self.records: dict[str, str] = {}  # record guid -> its label, of what the demo sent
        self.seen: dict[str, list[str]] = {}  # record guid -> returnStatus, in order
        self.hinted = False  # told the trainer what to do with an inspection

    def poll(self) -> None:
        new: list[tuple[str, dict[str, Any]]] = []
        for code, key in self.keys.items():
            body = self.gw.receipts(key, self.cursors[code]).json()
            self.cursors[code] = str(body["next"])
            new += [(code, r) for r in body["receipts"] if r["recordGuid"] in self.records]
        new.sort(key=lambda item: int(item[1]["cursor"]))  # the gateway's order, all parties
        for code, receipt in new:
            guid, status = receipt["recordGuid"], str(receipt["returnStatus"])
            self.seen.setdefault(guid, []).append(status)
            when, kind, label, text, info = receipt_cells(receipt)
            self.feed.row(when, code, f"← {kind}", label or self.records[guid], text, info,
                          style=row_style(status))
            if refused(status):
                raise TrainerError(f"{self.records[guid]} was refused: {text}: {info}")
            if status == "500" and not self.hinted:
                self.hinted = True
                self.feed.console.print(
                    "[yellow]Selected for inspection (查验): decide it in the officer console "
                    "(GET /api/v1/inspections, POST /api/v1/inspections/{id}/result) or move "
                    "the clock on (singlewindow clock --advance PT2H) for the automatic "
                    "officer.[/yellow]")

    def reached(self, guid: str, status: str) -> bool:
        return status in self.seen.get(guid, [])

    def wait(self, lists: list[str], status: str, timeout: float,
             also: str | None = None) -> None:
        """Until every list has reached ``status`` (and the record ``also`` its 399)."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            if all(self.reached(g, status) for g in lists) and (
                    also is None or self.reached(also, "399")):
                return
            if time.monotonic() >= deadline:
                raise TrainerError(f"{status_text(status)} for every list did not come within "
                                   f"{timeout:g}s (the receipts so far are above; the "
                                   "simulator logs to <data-dir>/logs)")
            time.sleep(POLL_SECONDS)


def demo_export_9610(gw: Gateway, options: DemoOptions, console: Console) -> None:
    """A 9610 B2C export from order to departure, every message and receipt on screen."""
    health = gw.json("GET", "/_sim/health")
    if down := [n for n, p in health.get("parts", {}).items() if p.get("status") != "ok"]:
        console.print(f"[yellow]warning:[/] not healthy: {', '.join(down)}")
    store = DemoKeys(options.data_dir / KEYS_FILE, gw.url)
    if options.reset:
        gw.request("POST", "/_sim/reset", admin=True, params={"enterprises": "true"})
        store.keys, store.next_parcel = {}, 1
        store.save()
        console.print(f"reset the simulator at {gw.url}, enterprises included")
    keys = ensure_parties(gw, store, console)
    numbers = list(range(store.next_parcel, store.next_parcel + options.parcels))
    store.next_parcel = numbers[-1] + 1
    store.save()
    clock = gw.clock()
    console.print(f"9610 export, {len(numbers)} parcel(s), {'JSON' if options.as_json else 'XML'}; "
                  f"simulator clock {beijing(clock['now'], date=True)} Beijing"
                  f"{' (frozen)' if clock.get('frozen') else ''}")
    watch = Watch(gw, keys, Feed(console, DEMO_COLUMNS))
    bill = f"DEMO{numbers[0]:08d}"  # one bill of lading for the run's parcels
    lists: list[str] = []
    for n in numbers:
        for mirror in examples.export_flow(n):
            if mirror["messageType"] == "CEB603Message":
                record_of(mirror)["billNo"] = bill
                lists.append(record_of(mirror)["guid"])
            _send(gw, watch, mirror, options, console)
    watch.wait(lists, "399", options.timeout)
    watch.wait(lists, "800", options.timeout,
               also=_send(gw, watch, examples.arrival(numbers, bill=bill), options, console))
    watch.wait(lists, "899", options.timeout,
               also=_send(gw, watch, examples.departure(numbers, bill=bill), options, console))
    console.print(f"[bold green]done:[/] {len(lists)} list(s) at 899 结关. See one with "
                  f"`singlewindow status INV{numbers[0]:08d} --key <{examples.AGENT}'s key>` "
                  f"(the keys are in {store.path})")


def _send(gw: Gateway, watch: Watch, mirror: dict[str, Any], options: DemoOptions,
          console: Console) -> str:
    """Send one message as its sender (after Enter with --step); its record guid."""
    sender, head = examples.sender_of(mirror), record_of(mirror)
    label, kind = record_label(head), mirror["messageType"].removesuffix("Message")
    if options.step:
        try:
            console.input(f"[dim]press Enter to send {kind} {label} as {sender}…[/] ")
        except EOFError:
            pass
    watch.records[head["guid"]] = label
    if options.as_json:
        content, ctype = orjson.dumps(mirror), "application/json"
    else:
        content, ctype = examples.as_xml(mirror), "application/xml"
    gw.request("POST", "/api/v1/messages", key=watch.keys[sender], expect=(202,),
               content=content, headers={"Content-Type": ctype})
    watch.feed.row(beijing(gw.clock()["now"]), sender, f"→ {kind}", label, "sent",
                   "202 accepted", style="cyan")
    watch.poll()
    return str(head["guid"])


# ------------------------------------------------------------------ receipts, clock, status


