"""The whole topology (launcher, gateway, services, workers, scheduler) per backend.

"embedded" always runs (SQLite + embedded Redis); "real" runs against PostgreSQL and
Redis when they answer (see tests/conftest.py for SW_TEST_REAL). The topology runs with
``topology_env``: inspection by its rules only, no list selected at random, so that the
export flow's lists always clear 2, 120, 399, 800, 899; a module may override the fixture.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from lxml import etree

from contracts import examples
from launcher.testing import Topology, real_servers_env, running_topology
from tests.conftest import PG_URL, REAL_AVAILABLE, REAL_MODE, REDIS_URL

CEB = "{http://www.chinaport.gov.cn/ceb}"


@pytest.fixture(scope="module")
def topology_env() -> dict[str, str]:
    """What the module's topology adds to its environment (services/inspection/README.md)."""
    return {"SW_INSPECTION_RANDOM_SELECTION": "false"}


@pytest.fixture(scope="module", params=["embedded", "real"])
def topo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         topology_env: dict[str, str]) -> Iterator[Topology]:
    tmp = tmp_path_factory.mktemp(f"topo-{request.param}")
    if request.param == "embedded":
        with running_topology(tmp, topology_env) as running:
            yield running
        return
    if not REAL_AVAILABLE:
        if REAL_MODE == "1":
            pytest.fail("SW_TEST_REAL=1 but PostgreSQL or Redis does not answer")
        pytest.skip("real servers off (SW_TEST_REAL=0) or PostgreSQL and Redis not answering")
    with real_servers_env(PG_URL, REDIS_URL) as env, \
            running_topology(tmp, {**env, **topology_env}) as running:
        yield running


class Window:
    """An integrator's view of the single window: enterprises, messages, receipts."""

    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        self.http = httpx.Client(base_url=topo.gateway_url, timeout=30)
        self.keys: dict[str, str] = {}
        self.cursors: dict[str, str] = {}  # of ``receipts``
        # every receipt of an enterprise pulled so far, and how many statuses of each
        # record ``wait_statuses`` already handed out: nothing is lost between two waits
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.history_cursor: dict[str, str] = {}
        self.consumed: dict[tuple[str, str], int] = {}

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.topo.admin_token}"}
        return self.http.request(method, path, headers=headers, **kwargs)

    def reset(self) -> None:
        response = self.admin("POST", "/_sim/reset", params={"enterprises": "true"})
        assert response.status_code == 200, response.text
        self.keys.clear()
        self.rewind()

    def rewind(self) -> None:
        """Read every enterprise's receipts from the start again."""
        self.cursors.clear()
        self.history.clear()
        self.history_cursor.clear()
        self.consumed.clear()

    def register(self, code: str, roles: list[str], **extra: Any) -> dict[str, Any]:
        response = self.admin("POST", "/api/v1/enterprises", json={
            "code": code, "name": examples.NAMES.get(code, code), "roles": roles, **extra})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        self.keys[code] = body["apiKey"]
        return body

    def register_flow_parties(self) -> None:
        for code, roles in examples.ROLES.items():
            self.register(code, roles)

    def send(self, mirror: dict[str, Any], xml: bool = True) -> httpx.Response:
        sender = examples.sender_of(mirror)
        if xml:
            content, ctype = examples.as_xml(mirror), "application/xml"
        else:
            content, ctype = orjson.dumps(mirror), "application/json"
        return self.post_raw(sender, content, ctype)

    def post_raw(self, sender: str, content: bytes, ctype: str) -> httpx.Response:
        return self.http.post("/api/v1/messages", content=content, headers={
            "Authorization": f"Bearer {self.keys[sender]}", "Content-Type": ctype})

    def receipts(self, code: str, fmt: str = "json") -> list[dict[str, Any]]:
        """New receipts of ``code`` since the last call."""
        response = self.http.get("/api/v1/receipts", params={
            "after": self.cursors.get(code, "0"), "limit": 1000},
            headers={"Authorization": f"Bearer {self.keys[code]}"})
        assert response.status_code == 200, response.text
        body = response.json()
        self.cursors[code] = body["next"]
        return list(body["receipts"])

    def receipts_xml(self, code: str) -> list[etree._Element]:
        response = self.http.get("/api/v1/receipts", params={"after": "0", "limit": 1000,
                                                             "format": "xml"},
                                 headers={"Authorization": f"Bearer {self.keys[code]}"})
        root = etree.fromstring(response.content)
        return [r[0] for r in root.findall("Receipt")]

    def _pull(self, code: str) -> list[dict[str, Any]]:
        """All of ``code``'s receipts so far (pulled incrementally, every page)."""
        history = self.history.setdefault(code, [])
        while True:
            response = self.http.get("/api/v1/receipts", params={
                "after": self.history_cursor.get(code, "0"), "limit": 1000},
                headers={"Authorization": f"Bearer {self.keys[code]}"})
            assert response.status_code == 200, response.text
            body = response.json()
            self.history_cursor[code] = body["next"]
            history.extend(body["receipts"])
            if len(body["receipts"]) < 1000:
                return history

    def wait_statuses(self, code: str, record_guid: str, expected: list[str],
                      timeout: float = 30.0) -> list[str]:
        """The next ``len(expected)`` statuses of ``code``'s receipts about ``record_guid``
        (fewer when they do not come within ``timeout``); receipts about other records are
        kept for later calls."""
        key = (code, record_guid)
        start = self.consumed.get(key, 0)
        deadline = time.monotonic() + timeout
        while True:
            statuses = [r["returnStatus"] for r in self._pull(code)
                        if r["recordGuid"] == record_guid][start:start + len(expected)]
            if len(statuses) >= len(expected) or time.monotonic() >= deadline:
                self.consumed[key] = start + len(statuses)
                return statuses
            time.sleep(0.05)


@pytest.fixture
def window(topo: Topology) -> Iterator[Window]:
    win = Window(topo)
    win.reset()
    win.register_flow_parties()
    yield win
    win.http.close()


def record_guid(mirror: dict[str, Any]) -> str:
    """The guid of the first business record of a message mirror."""
    for key, value in mirror.items():
        if key not in ("messageType", "guid", "version", "BaseTransfer") and isinstance(
                value, list):
            record = value[0]
            head = next((v for k, v in record.items() if k.endswith("Head")), record)
            return str(head["guid"])
    raise KeyError("no record")


def reference_dir() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "reference"
