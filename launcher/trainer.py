"""The trainer's command line: a client of a running simulator's gateway, for class.

The ``demo``, ``receipts``, ``clock`` and ``status`` commands of ``singlewindow`` call the
functions here with a ``Gateway`` (an httpx client of the public API) and a rich console.
Every problem the user should read (the simulator does not answer, a refused request, a
receipt that does not come) is a ``TrainerError``; the command prints it and exits 1.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
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
