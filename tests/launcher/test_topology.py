"""docker-compose.yml and the launcher describe the same topology."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from launcher import topology
from launcher.config import LauncherSettings
from launcher.runner import child_env

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
INFRA = {"postgres", "redis"}
PARTS = topology.services(host="0.0.0.0", base_port=8000)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


def test_compose_runs_every_part_and_the_infrastructure(compose: dict[str, Any]) -> None:
    assert set(compose) == set(PARTS) | INFRA


@pytest.mark.parametrize("service", sorted(PARTS))
class TestEachPart:
    def test_same_command(self, compose: dict[str, Any], service: str) -> None:
        # compose's ${VAR:-default} is the launcher's default
        command = [re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", arg) for arg in
                   compose[service]["command"]]
        assert command == ["python", *PARTS[service].args]

    def test_same_port(self, compose: dict[str, Any], service: str) -> None:
        port = PARTS[service].port
        expected = [f"{port}:{port}"] if port is not None else None
        assert compose[service].get("ports") == expected

    def test_same_queues(self, compose: dict[str, Any], service: str) -> None:
        command = compose[service]["command"]
        queues = command[command.index("--queues") + 1].split(",") if "--queues" in command else []
        assert tuple(queues) == PARTS[service].queues

    def test_same_dependencies(self, compose: dict[str, Any], service: str) -> None:
        depends_on = compose[service]["depends_on"]
        assert set(depends_on) == set(PARTS[service].depends_on) | INFRA
        assert all(dep["condition"] == "service_healthy" for dep in depends_on.values())

    def test_same_environment(self, compose: dict[str, Any], service: str) -> None:
        env = compose[service]["environment"]
        assert set(topology.COMMON_VARS) <= set(env)
        assert {k: v for k, v in env.items() if k in topology.URL_VARS.values()} == (
            topology.urls(8000, host_for=lambda name: name))

    def test_restarts_unless_stopped_from_the_one_image(self, compose: dict[str, Any],
                                                        service: str) -> None:
        assert compose[service]["restart"] == "unless-stopped"
        assert compose[service]["build"] == "."


@pytest.mark.parametrize("service", [s for s, p in PARTS.items() if p.kind == "app"])
def test_apps_are_health_checked_on_their_port(compose: dict[str, Any], service: str) -> None:
    check = " ".join(compose[service]["healthcheck"]["test"])
    assert f"http://127.0.0.1:{PARTS[service].port}/health" in check


def test_parts_use_real_servers(compose: dict[str, Any]) -> None:
    env = compose["gateway"]["environment"]
    assert env["DATABASE_URL"] == "postgresql://sw:sw@postgres:5432/singlewindow"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert compose["postgres"]["image"] == "postgres:16"
    assert "pg_isready" in " ".join(compose["postgres"]["healthcheck"]["test"])
    assert compose["redis"]["image"] == "redis:7"
    assert compose["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]


def test_launcher_children_get_every_variable_compose_sets(compose: dict[str, Any],
                                                           tmp_path: Path) -> None:
    env = child_env(LauncherSettings(), tmp_path, "unix:///tmp/redis.socket",
                    topology.urls(8000), "token")
    assert set(compose["gateway"]["environment"]) <= set(env)


class TestParts:
    def test_workers_scale_the_gateway_and_customs_queues(self) -> None:
        names = [p.name for p in topology.parts(workers=2) if p.kind == "worker"]

        assert sorted(names) == ["worker-agencies", "worker-customs-1", "worker-customs-2",
                                 "worker-gateway-1", "worker-gateway-2"]

    def test_gateway_processes_serve_its_one_port(self) -> None:
        [gateway] = [p for p in topology.parts(gateway_processes=3) if p.service == "gateway"]
        assert gateway.args[-2:] == ("--workers", "3")
        assert gateway.port == 8000

    def test_a_part_starts_after_what_it_depends_on(self) -> None:
        order = [p.service for p in topology.parts()]

        for part in topology.parts():
            assert all(order.index(dep) < order.index(part.service) for dep in part.depends_on)

    def test_ports_follow_the_base_port(self) -> None:
        ports = {p.name: p.port for p in topology.parts(base_port=9100) if p.kind == "app"}

        assert ports == {"gateway": 9100, "customs": 9101, "inspection": 9102, "tax": 9103,
                         "payments": 9104}
