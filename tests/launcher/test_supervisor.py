"""The supervisor: children restarted when they die, pids.json current, all stopped."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from launcher.supervisor import Supervisor
from launcher.topology import Part

# A child that also forks a grandchild into its process group (as rq's scheduler does).
SLEEPER = ("-c", "import os, time\nif os.fork() == 0:\n    time.sleep(60)\ntime.sleep(60)")


def make_part(name: str = "worker-test-1", args: tuple[str, ...] = SLEEPER) -> Part:
    return Part(name=name, kind="worker", args=args, service="worker-test")


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[Supervisor]:
    sup = Supervisor([make_part()], env=dict(os.environ), data_dir=tmp_path,
                     python=sys.executable, say=lambda _msg: None)
    sup.spawn("worker-test-1")
    yield sup
    sup.stop(timeout=5)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


class TestCheck:
    def test_restarts_a_child_that_died(self, supervisor: Supervisor) -> None:
        old = supervisor.pids()["worker-test-1"]
        os.kill(old, signal.SIGKILL)

        assert wait_for(lambda: (supervisor.check(), supervisor.alive("worker-test-1"))[1]
                        and supervisor.pids()["worker-test-1"] != old)
        assert supervisor.children["worker-test-1"].restarts == 1

    def test_kills_what_the_dead_child_left_behind(self, supervisor: Supervisor) -> None:
        old = supervisor.pids()["worker-test-1"]
        time.sleep(0.3)  # the child has forked
        os.kill(old, signal.SIGKILL)

        assert wait_for(lambda: (supervisor.check(), group_gone(old))[1])

    def test_keeps_pids_json_current(self, supervisor: Supervisor, tmp_path: Path) -> None:
        old = supervisor.pids()["worker-test-1"]
        os.kill(old, signal.SIGKILL)
        # the kill takes effect asynchronously: wait for the new child, not the old one
        assert wait_for(lambda: (supervisor.check(), supervisor.alive("worker-test-1"))[1]
                        and supervisor.pids()["worker-test-1"] != old)

        written = json.loads((tmp_path / "pids.json").read_text())
        assert written["parts"] == supervisor.pids()
        assert written["launcher"] == os.getpid()


class TestStop:
    def test_stops_every_child_and_its_group(self, supervisor: Supervisor) -> None:
        pid = supervisor.pids()["worker-test-1"]
        time.sleep(0.3)  # the child has forked

        supervisor.stop(timeout=5)

        assert supervisor.pids() == {}
        assert wait_for(lambda: group_gone(pid))

    def test_does_not_restart_after_stop(self, supervisor: Supervisor) -> None:
        supervisor.stop(timeout=5)

        supervisor.check()

        assert supervisor.pids() == {}
