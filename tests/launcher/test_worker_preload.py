"""A worker imports its queues' jobs before it takes the first one."""

from __future__ import annotations

import subprocess
import sys

from launcher.cli import preload


def test_the_jobs_of_each_known_queue_are_imported() -> None:
    code = ("import sys; from launcher.cli import preload; "
            "print(preload(['customs', 'gateway', 'elsewhere'])); "
            "print('services.customs.tasks' in sys.modules, 'gateway.tasks' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["['services.customs.tasks', 'gateway.tasks']", "True True"]


def test_a_queue_without_a_part_is_left_alone() -> None:
    assert preload(["no-such-part"]) == []
