"""The ``singlewindow`` command (also ``python -m launcher``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="The cross-border e-commerce single-window simulator.")


@app.command()
def start(
    data_dir: Annotated[Path | None, typer.Option(
        help="Data folder (SQLite files, embedded Redis, logs); default $SW_DATA_DIR "
             "or .singlewindow")] = None,
    host: Annotated[str, typer.Option(help="Interface the apps listen on")] = "127.0.0.1",
    base_port: Annotated[int, typer.Option(help="Gateway port; the services follow")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Workers of the gateway and customs "
                                                     "queues each")] = 1,
) -> None:
    """Run every part as its own process, supervised, until Ctrl-C."""
    from launcher.runner import Options
    from launcher.runner import start as run_start

    raise typer.Exit(run_start(Options(data_dir, host, base_port, workers)))


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="Comma-separated rq queues to work")],
    burst: Annotated[bool, typer.Option(help="Stop when the queues are empty")] = False,
) -> None:
    """Work rq queues in this process (REDIS_URL from the environment)."""
    from infra.queue import connect_redis, run_worker
    from infra.settings import CommonSettings

    names = [q.strip() for q in queues.split(",") if q.strip()]
    if not names:
        raise typer.BadParameter("name at least one queue", param_hint="--queues")
    run_worker(names, connect_redis(CommonSettings().redis_url), burst=burst)


@app.command()
def scheduler() -> None:
    """Enqueue jobs due on the simulator clock, and the periodic outbox sweeps."""
    from infra.settings import CommonSettings
    from launcher.scheduler import run

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    run(CommonSettings().redis_url)


def main() -> None:
    app()
