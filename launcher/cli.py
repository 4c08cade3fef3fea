"""The ``singlewindow`` command (also ``python -m launcher``)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

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
    gateway_processes: Annotated[int, typer.Option(
        min=1, help="Processes serving the gateway's port (intake scales with them)")] = 1,
) -> None:
    """Run every part as its own process, supervised, until Ctrl-C."""
    from launcher.runner import Options
    from launcher.runner import start as run_start

    raise typer.Exit(run_start(Options(data_dir, host, base_port, workers, gateway_processes)))


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
    preload(names)
    run_worker(names, connect_redis(CommonSettings().redis_url), burst=burst)


def preload(queues: list[str]) -> list[str]:
    """Import the jobs of these queues now, not in the first job's time; the modules."""
    modules = []
    for name in queues:
        module = "gateway.tasks" if name == "gateway" else f"services.{name}.tasks"
        if importlib.util.find_spec(module.rpartition(".")[0]) is not None:
            importlib.import_module(module)
            modules.append(module)
    return modules


@app.command()
def scheduler() -> None:
    """Enqueue jobs due on the simulator clock, and the periodic outbox sweeps."""
    from infra.settings import CommonSettings
    from launcher.scheduler import run

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    run(CommonSettings().redis_url)


# ------------------------------------------------------------------ the trainer's commands

demo_app = typer.Typer(no_args_is_help=True, help="Guided flows against a running simulator, "
                                                   "every message and receipt on screen.")
app.add_typer(demo_app, name="demo")

GatewayOpt = Annotated[str, typer.Option("--gateway", help="The running simulator's gateway")]
DataDirOpt = Annotated[Path | None, typer.Option(
    help="The simulator's data folder (admin-token, demo-keys.json); default $SW_DATA_DIR "
         "or .singlewindow")]
AdminTokenOpt = Annotated[str | None, typer.Option(
    help="Gateway admin token; default $SW_GATEWAY_ADMIN_TOKEN or <data-dir>/admin-token",
    show_default=False)]
KeyOpt = Annotated[str, typer.Option("--key", help="The enterprise's API key")]
DEFAULT_GATEWAY = "http://127.0.0.1:8000"


def _run(action: Callable[[Console], None]) -> None:
    """Run a trainer command; a ``TrainerError`` is printed and exits 1."""
    from rich.console import Console
    from rich.text import Text

    from launcher.trainer import TrainerError

    console = Console(highlight=False)
    try:
        action(console)
    except TrainerError as exc:
        Console(stderr=True, highlight=False).print(
            Text.assemble(("error: ", "bold red"), str(exc)), soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@demo_app.command("export-9610")
def demo_export_9610(
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    admin_token: AdminTokenOpt = None,
    data_dir: DataDirOpt = None,
    parcels: Annotated[int, typer.Option(min=1, max=100, help="Parcels (one list each)")] = 1,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Send the JSON mirrors, not the CEB XML")] = False,
    step: Annotated[bool, typer.Option(
        "--step", help="Pause before each message (press Enter): for class")] = False,
    reset: Annotated[bool, typer.Option(
        "--reset", help="Reset the simulator first, enterprises included")] = False,
    timeout: Annotated[float, typer.Option(
        help="Seconds to wait for each awaited receipt")] = 30.0,
) -> None:
    """A 9610 B2C export: order, payment receipt, waybill, list, arrival, departure."""
    from launcher import demo, trainer

    def action(console: Console) -> None:
        folder, token = trainer.locate(data_dir, admin_token)
        options = demo.DemoOptions(folder, parcels, as_json, step, reset, timeout)
        with trainer.Gateway(gateway, admin_token=token) as gw:
            demo.demo_export_9610(gw, options, console)

    _run(action)


@app.command()
def receipts(
    key: KeyOpt,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    after: Annotated[str, typer.Option(help="Cursor: show receipts after this one")] = "0",
    follow: Annotated[bool, typer.Option("--follow", help="Keep polling for new receipts "
                                                          "(Ctrl-C stops)")] = False,
    xml: Annotated[bool, typer.Option("--xml", help="Print the raw CEB XML")] = False,
) -> None:
    """An enterprise's receipts, as a table or raw CEB XML."""
    from launcher import trainer

    def action(console: Console) -> None:
        with trainer.Gateway(gateway) as gw:
            trainer.show_receipts(gw, key=key, after=after, follow=follow, xml=xml,
                                  console=console)

    _run(action)


@app.command()
def clock(
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    set_at: Annotated[str | None, typer.Option(
        "--set", help="Put the clock at this ISO instant (UTC unless it says otherwise)")] = None,
    freeze: Annotated[bool | None, typer.Option(
        "--freeze/--resume", help="Stop the clock, or let it run", show_default=False)] = None,
    advance: Annotated[str | None, typer.Option(
        help="Move on by an ISO 8601 duration (P1D, PT2H), running what falls due")] = None,
    real_time: Annotated[bool, typer.Option("--real-time", help="Back to the real clock")
                         ] = False,
    admin_token: AdminTokenOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Show the simulator clock, or set, freeze, resume or advance it."""
    from launcher import trainer

    change = {name: value for name, value in (("realTime", real_time or None), ("at", set_at),
                                               ("freeze", freeze), ("advance", advance))
              if value is not None}

    def action(console: Console) -> None:
        token = trainer.locate(data_dir, admin_token)[1]
        with trainer.Gateway(gateway, admin_token=token) as gw:
            trainer.show_clock(gw.clock(change), console)

    _run(action)


@app.command()
def status(
    ref: Annotated[str, typer.Argument(help="guid, copNo, preNo, invtNo, orderNo or "
                                            "logisticsNo")],
    key: KeyOpt,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
) -> None:
    """One of your documents: its status and timeline."""
    from launcher import trainer

    def action(console: Console) -> None:
        with trainer.Gateway(gateway) as gw:
            trainer.show_declaration(gw.declaration(ref, key), console)

    _run(action)


@app.command()
def example(
    folder: Annotated[Path, typer.Argument(help="Where to write the messages")],
    parcel: Annotated[int, typer.Option(help="Parcel number (order SO…, waybill LP…)")] = 1,
    json: Annotated[bool, typer.Option("--json", help="The JSON mirror instead of XML")] = False,
) -> None:
    """Write the six CEB messages of a 9610 export parcel (1-order … 6-departure)."""
    from launcher.samples import write_export_9610

    for path in write_export_9610(folder, parcel, as_json=json):
        typer.echo(str(path))


def main() -> None:
    app()
