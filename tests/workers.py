"""Two workers at once, in one test: another worker starts while a batch is at a step."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def meanwhile(monkeypatch: Any, owner: Any, step: str, target: Callable[..., Any],
              *args: Any, before: bool = False) -> list[threading.Thread]:
    """Another worker at work while a batch is at ``step`` (``owner.<step>``, patched):
    right after the step first runs (``before``: right before it), ``target(*args)``
    runs in a thread of its own, given a second, in which it finishes unless it waits
    for the batch. The list holds the thread once started, to be joined."""
    other: list[threading.Thread] = []
    run = getattr(owner, step)

    def start_once() -> None:
        if not other:
            other.append(threading.Thread(target=target, args=args))
            other[0].start()
            other[0].join(timeout=1.0)

    def then_the_other_worker(*step_args: Any, **step_kwargs: Any) -> Any:
        if before:
            start_once()
        outcome = run(*step_args, **step_kwargs)
        if not before:
            start_once()
        return outcome

    monkeypatch.setattr(owner, step, then_the_other_worker)
    return other
