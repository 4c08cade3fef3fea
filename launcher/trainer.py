"""The trainer's command line: a client of a running simulator's gateway, for class.

The ``demo``, ``receipts``, ``clock`` and ``status`` commands of ``singlewindow`` call the
functions here with a ``Gateway`` (an httpx client of the public API) and a rich console.
Every problem the user should read (the simulator does not answer, a refused request, a
receipt that does not come) is a ``TrainerError``; the command prints it and exits 1.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contracts import examples
from contracts.codes import RETURN_STATUS

KEYS_FILE = "demo-keys.json"
BEIJING = timezone(timedelta(hours=8))
RECORD_FIELDS = ("copNo", "payNo", "logisticsNo", "orderNo", "invtNo", "preNo")
POLL_SECONDS = 0.2


class TrainerError(Exception):
    """Something the user must read; the command exits 1."""


def locate(data_dir: Path | None, admin_token: str | None) -> tuple[Path, str]:
    """The data folder (``--data-dir``, ``$SW_DATA_DIR``, ``.singlewindow``) and the admin
    token (``--admin-token``, ``$SW_GATEWAY_ADMIN_TOKEN``, ``<data folder>/admin-token``)."""
    from launcher.config import LauncherSettings

    settings = LauncherSettings()
    folder = data_dir or settings.data_dir
    token = admin_token or settings.gateway_admin_token
    if not token:
        with contextlib.suppress(OSError):
            token = (folder / "admin-token").read_text().strip()
    return folder, token


class Gateway:
    """The simulator's public HTTP API, as the trainer uses it."""

    def __init__(self, url: str, *, admin_token: str = "", timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        self.admin_token = admin_token
        self.http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, key: str | None = None, admin: bool = False,
                expect: Iterable[int] = (200,), **kwargs: Any) -> httpx.Response:
        """One call; a refusal or a simulator that does not answer is a ``TrainerError``."""
        if admin and not self.admin_token:
            raise TrainerError("this needs the gateway admin token: give --admin-token, set "
                               "SW_GATEWAY_ADMIN_TOKEN, or point --data-dir at the simulator's "
                               "data folder (it keeps the token in admin-token)")
        token = self.admin_token if admin else key
        headers = {**kwargs.pop("headers", {}),
                   **({"Authorization": f"Bearer {token}"} if token else {})}
        try:
            response = self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise TrainerError(f"the simulator at {self.url} did not answer {method} {path} "
                               f"in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TrainerError(f"the simulator does not answer at {self.url} ({exc}); is it "
                               "running? Start it with `singlewindow start`") from exc
        if response.status_code not in tuple(expect):
            raise TrainerError(describe(response))
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return dict(self.request(method, path, **kwargs).json())

    def clock(self, change: dict[str, Any] | None = None) -> dict[str, Any]:
        """The simulator clock, after ``change`` (a POST /_sim/clock body) if given."""
        if change:
            return self.json("POST", "/_sim/clock", admin=True, json=change)
        return self.json("GET", "/_sim/clock")

    def register(self, code: str, roles: list[str]) -> str | None:
        """The new enterprise's API key, or None when ``code`` is already registered."""
        response = self.request("POST", "/api/v1/enterprises", admin=True, expect=(201, 409),
                                json={"code": code, "name": examples.NAMES.get(code, code),
                                      "roles": roles})
        if response.status_code == 409:
            if response.json().get("code") != "enterprise_exists":
                raise TrainerError(describe(response))
            return None
        return str(response.json()["apiKey"])

    def declaration(self, ref: str, key: str) -> dict[str, Any]:
        return self.json("GET", f"/api/v1/declarations/{quote(ref, safe='')}", key=key)

    def key_works(self, key: str) -> bool:
        return self.request("GET", "/api/v1/receipts", key=key, expect=(200, 401),
                            params={"after": "0", "limit": 1}).status_code == 200

    def receipts(self, key: str, after: str, *, xml: bool = False) -> httpx.Response:
        return self.request("GET", "/api/v1/receipts", key=key, params={
            "after": after, "limit": 1000, "format": "xml" if xml else "json"})

    def end_cursor(self, key: str) -> str:
        """The cursor after the enterprise's last receipt so far."""
        after = "0"
        while (body := self.receipts(key, after).json())["receipts"]:
            after = str(body["next"])
        return after


def describe(response: httpx.Response) -> str:
    """A refused request in a few readable lines (problem+json, or the body's start)."""
    text = (f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}: ")
    try:
        problem = dict(response.json())
    except (ValueError, TypeError):
        return text + response.text[:500]
    text += str(problem.get("detail") or problem.get("title") or problem)
    text += f" [{problem['code']}]" if problem.get("code") else ""
    for error in problem.get("errors") or []:
        text += f"\n  {error.get('path', '')}: {error.get('message', '')}"
    if response.status_code == 401:
        text += "\n  (the API key is not known to this simulator)"
    return text


# ------------------------------------------------------------------ rendering


def status_text(status: str) -> str:
    return f"{status} {RETURN_STATUS.get(status, '')}".strip()


def refused(status: str) -> bool:
    return status == "100" or status.startswith("-")  # 海关退单, or a negative code


def row_style(status: str) -> str | None:
    return "red" if refused(status) else "bold green" if status in ("800", "899") else None


def beijing(iso: str, *, date: bool = False) -> str:
    at = datetime.fromisoformat(iso).astimezone(BEIJING)
    return at.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")


def ceb_clock(text: str, *, date: bool = False) -> str:
    """A CEB time (``yyyyMMddHHmmss[fff]``, Beijing) as ``HH:MM:SS``, or with its date."""
    if len(text) < 14 or not text[:14].isdigit():
        return text
    clock = f"{text[8:10]}:{text[10:12]}:{text[12:14]}"
    return f"{text[:4]}-{text[4:6]}-{text[6:8]} {clock}" if date else clock


def record_of(message: dict[str, Any]) -> dict[str, Any]:
    """The first business record (its head) of a CEB message mirror: itself, not a copy."""
    for key, value in message.items():
        record = value[0] if isinstance(value, list) and value else value
        if key != "BaseTransfer" and isinstance(record, dict):
            head: dict[str, Any] = next(
                (v for k, v in record.items() if k.endswith("Head")), record)
            return head
    return {}


def record_label(record: dict[str, Any]) -> str:
    return next((str(record[f]) for f in RECORD_FIELDS if record.get(f)), "")


def receipt_cells(receipt: dict[str, Any], *, date: bool = False) -> list[str]:
    """time, message, record, returnStatus and returnInfo of a receipt from the API."""
    record = record_of(receipt.get("message") or {})
    return [ceb_clock(str(record.get("returnTime", "")), date=date),
            receipt["messageType"].removesuffix("Message"), record_label(record),
            status_text(str(receipt["returnStatus"])), str(record.get("returnInfo", ""))]


class Feed:
    """Rows printed one at a time under one header: a table that grows as things happen.

    Every column but the last (which folds) has a fixed width, so the rows line up."""

    def __init__(self, console: Console, columns: Sequence[tuple[str, int]]) -> None:
        self.console, self.columns = console, columns
        console.print(self._table(header=True))

    def _table(self, *, header: bool) -> Table:
        table = Table(box=None, show_header=header, pad_edge=False, header_style="bold")
        for name, width in self.columns[:-1]:
            table.add_column(name, width=width, no_wrap=True, overflow="ellipsis")
        table.add_column(self.columns[-1][0], overflow="fold")
        return table

    def row(self, *cells: str, style: str | None = None) -> None:
        table = self._table(header=False)
        table.add_row(*(escape(c) for c in cells), style=style)
        self.console.print(table)


# ------------------------------------------------------------------ demo export-9610


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


RECEIPT_COLUMNS = (("cursor", 7), ("time", 19), ("message", 7), ("record", 12),
                   ("returnStatus", 16), ("returnInfo", 0))


def show_receipts(gw: Gateway, *, key: str, after: str, follow: bool, xml: bool,
                  console: Console, interval: float = 1.0) -> None:
    """An enterprise's receipts after ``after``; with ``follow``, new ones until Ctrl-C."""
    feed = None if xml else Feed(console, RECEIPT_COLUMNS)
    first = True
    try:
        while True:
            response = gw.receipts(key, after, xml=xml)
            if feed is None:
                cursor = response.headers.get("X-Next-Cursor", after)
                if cursor != after or (first and not follow):  # an empty batch is shown once
                    console.out(response.text, highlight=False)
            else:
                body = response.json()
                cursor = str(body["next"])
                for receipt in body["receipts"]:
                    feed.row(str(receipt["cursor"]), *receipt_cells(receipt, date=True),
                             style=row_style(str(receipt["returnStatus"])))
            first = False
            if cursor == after and not follow:
                break
            if cursor == after:
                time.sleep(interval)
            after = cursor
    except KeyboardInterrupt:
        pass
    if feed is not None:
        console.print(f"next cursor: {after} (--after {after} shows only newer receipts)")


def show_clock(view: dict[str, Any], console: Console) -> None:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_row("simulator clock", view["now"])
    table.add_row("Beijing time", beijing(view["now"], date=True))
    table.add_row("state", "frozen" if view.get("frozen") else "running")
    table.add_row("offset", f"{float(view.get('offsetSeconds') or 0):+.0f} s from real time")
    console.print(table)


def show_declaration(view: dict[str, Any], console: Console) -> None:
    """One document's status and its timeline."""
    keys = ", ".join(f"{k} {v}" for k, v in (view.get("keys") or {}).items())
    status = str(view.get("status", ""))
    console.print(f"[bold]{escape(str(view.get('kind', '')))}[/] {escape(keys)}\n"
                  f"guid {view.get('guid')}  preNo {view.get('preNo') or '-'}  "
                  f"invtNo {view.get('invtNo') or '-'}"
                  f"{'  [red]deleted[/]' if view.get('deleted') else ''}\n"
                  f"status [bold]{escape(status)} "
                  f"{escape(view.get('statusName') or RETURN_STATUS.get(status, ''))}[/]")
    table = Table(title="timeline", title_justify="left", expand=True)
    table.add_column("time (Beijing)", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("actor")
    table.add_column("info", overflow="fold")
    for step in view.get("timeline") or []:
        step_status = str(step.get("status", ""))
        table.add_row(beijing(step["at"], date=True), escape(status_text(step_status)),
                      escape(str(step.get("actor") or "")), escape(str(step.get("info") or "")),
                      style=row_style(step_status))
    console.print(table)
    for mismatch in view.get("mismatches") or []:
        console.print(f"[yellow]mismatch:[/] {escape(str(mismatch))}")
