"""``singlewindow start``: every part up and healthy, restarted when it dies, all stopped.

Runs in the embedded mode (SQLite files, the launcher's own Redis) and, when PostgreSQL
and Redis answer (``SW_TEST_DATABASE_URL``, ``SW_TEST_REDIS_URL``), on those real servers
in schemas and a Redis database of its own.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest
from redis import Redis
from rq.job import JobStatus

from contracts import examples
from infra.queue import queue
from launcher import topology
from launcher.testing import Topology, real_servers_env, running_topology, servers_answer

pytestmark = pytest.mark.e2e

PG_URL = os.environ.get("SW_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SW_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _unimportable_apps() -> list[str]:
    missing = []
    for module, _offset in topology.APPS.values():
        try:
            importlib.import_module(module.partition(":")[0])
        except ImportError as exc:
            missing.append(f"{module} ({exc})")
    return missing


MISSING = _unimportable_apps()
if MISSING:
    pytest.skip(f"the topology cannot start yet: cannot import {'; '.join(MISSING)}",
                allow_module_level=True)


@pytest.fixture(scope="module", params=["embedded", "real"])
def mode(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, str]]]:
    if request.param == "embedded":
        yield "embedded", {}
        return
    real = os.environ.get("SW_TEST_REAL", "")  # as in tests/conftest.py
    if real == "0":
        pytest.skip("real servers off (SW_TEST_REAL=0)")
    if not servers_answer(PG_URL, REDIS_URL):
        message = f"PostgreSQL ({PG_URL}) and Redis ({REDIS_URL}) do not both answer"
        if real == "1":
            pytest.fail(f"SW_TEST_REAL=1 but {message}")
        pytest.skip(message)
    with real_servers_env(PG_URL, REDIS_URL) as env:
        yield "real", env


@pytest.fixture(scope="module")
def topo(mode: tuple[str, dict[str, str]],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with running_topology(tmp_path_factory.mktemp(mode[0]), env=mode[1]) as running:
        yield running


class TestStart:
    def test_every_app_answers_health(self, topo: Topology) -> None:
        for name, url in topo.urls.items():
            response = httpx.get(f"{url}/health", timeout=5)

            assert response.status_code == 200, name
            assert response.json() == {"service": name, "status": "ok", "database": "ok",
                                       "redis": "ok"}

    def test_every_part_runs_as_its_own_process(self, topo: Topology) -> None:
        pids = topo.pids()

        assert set(pids) >= {p.name for p in topology.parts()}
        assert len(set(pids.values())) == len(pids)

    def test_each_app_has_its_own_database(self, topo: Topology,
                                           mode: tuple[str, dict[str, str]]) -> None:
        if mode[0] == "embedded":
            assert {f"{name}.db" for name in topology.APPS} <= {
                p.name for p in topo.data_dir.iterdir()}
            assert "redis" in topo.pids()
            return
        prefix = mode[1]["SW_SCHEMA_PREFIX"]
        with psycopg.connect(PG_URL) as conn:
            schemas = {row[0] for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", (prefix,))}
        assert schemas == {f"{prefix}{name}" for name in topology.APPS}
        assert "redis" not in topo.pids()

    def test_the_admin_token_is_kept_in_the_data_folder(self, topo: Topology) -> None:
        assert topo.admin_token
        assert (topo.data_dir / "admin-token").read_text().strip() == topo.admin_token

    @pytest.mark.parametrize("queue_name", ["inspection", "tax", "payments"])
    def test_the_agencies_worker_runs_their_jobs(self, topo: Topology, queue_name: str) -> None:
        redis = Redis.from_url(topo.redis_url)
        job = queue(queue_name, redis).enqueue(f"services.{queue_name}.tasks.reset")

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and job.get_status() != JobStatus.FINISHED:
            time.sleep(0.1)

        assert job.get_status() == JobStatus.FINISHED
        redis.close()

    def test_a_killed_worker_is_restarted(self, topo: Topology) -> None:
        old_pid = topo.kill("worker-customs-1")

        new_pid = topo.wait_restarted("worker-customs-1", old_pid)

        assert new_pid != old_pid
        # the launcher says so just after it wrote the new pid down
        assert _eventually(lambda: "worker-customs-1 restarted" in topo.tail(200))
        assert _gone(lambda: os.killpg(old_pid, 0)), "what the killed worker forked lives on"


def test_stopping_the_launcher_stops_every_part(tmp_path: Path) -> None:
    with running_topology(tmp_path) as topo:
        pids = topo.pids()

    assert [name for name, pid in pids.items() if not _gone(lambda p=pid: os.kill(p, 0))] == []
    assert topo.process.returncode == 0


def test_gateway_processes_share_its_port_and_its_data(tmp_path: Path) -> None:
    with running_topology(tmp_path, gateway_processes=2) as topo:
        gateway = psutil.Process(topo.pids()["gateway"])
        served = [c for c in gateway.children() if "spawn_main" in " ".join(c.cmdline())]
        assert len(served) == 2  # uvicorn's processes under the gateway's
        with httpx.Client(base_url=topo.gateway_url, timeout=10) as client:
            admin = {"Authorization": f"Bearer {topo.admin_token}"}
            orders = [examples.order(n) for n in range(1, 21)]
            sender = examples.sender_of(orders[0])
            key = client.post("/api/v1/enterprises", headers=admin, json={
                "code": sender, "name": examples.NAMES[sender],
                "roles": examples.ROLES[sender]}).json()["apiKey"]
            auth = {"Authorization": f"Bearer {key}"}
            for mirror in orders:  # new connections: both processes take some
                with httpx.Client(base_url=topo.gateway_url, timeout=10) as fresh:
                    assert fresh.post("/api/v1/messages", headers=auth,
                                      json=mirror).status_code == 202
            deadline = time.monotonic() + 30
            stored: set[str] = set()
            while len(stored) < len(orders) and time.monotonic() < deadline:
                body = client.get("/api/v1/receipts", headers=auth,
                                  params={"limit": 1000}).json()
                stored = {r["recordGuid"] for r in body["receipts"]
                          if r["returnStatus"] == "120"}
                time.sleep(0.2)
        assert stored == {m["Order"][0]["OrderHead"]["guid"] for m in orders}


def _eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _gone(probe: Callable[[], None], timeout: float = 10.0) -> bool:
    """Whether ``probe`` (a signal 0) finds nothing within ``timeout``; zombies take a moment
    to be reaped by init."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            probe()
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False
