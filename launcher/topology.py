"""The topology as data: which parts run, with which command, port, queues and order.

The launcher starts exactly this, and ``docker-compose.yml`` describes the same parts
(``tests/launcher/test_topology.py`` checks that they agree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Apps and their port offset from the base port (gateway on the base port itself).
APPS: dict[str, tuple[str, int]] = {
    "gateway": ("gateway.app:create_app", 0),
    "customs": ("services.customs.app:create_app", 1),
    "inspection": ("services.inspection.app:create_app", 2),
    "tax": ("services.tax.app:create_app", 3),
    "payments": ("services.payments.app:create_app", 4),
}

# The variable that tells every part where an app is (SW_CUSTOMS_URL=http://host:port).
URL_VARS: dict[str, str] = {name: f"SW_{name.upper()}_URL" for name in APPS}

ADMIN_TOKEN_VAR = "SW_GATEWAY_ADMIN_TOKEN"

# What every part gets in its environment (besides the URLs above).
COMMON_VARS = ("DATABASE_URL", "REDIS_URL", "SW_DATA_DIR", "SW_SCHEMA_PREFIX", ADMIN_TOKEN_VAR)

# Periodic sweeps enqueued by the scheduler every SWEEP_INTERVAL seconds of real time:
# (queue, dotted function path).
SWEEPS: tuple[tuple[str, str], ...] = (
    ("gateway", "gateway.tasks.sweep_outbox"),
    ("customs", "services.customs.tasks.resend_outbox"),
    ("customs", "services.customs.import_.tasks.resend_jobs"),  # customs → tax, scheduled
    ("tax", "services.tax.tasks.resend_outbox"),  # tax bills → gateway, answers → customs
)
SWEEP_INTERVAL = 5.0
# How often the scheduler moves jobs due on the simulator clock onto their queues.
SCHEDULER_POLL_INTERVAL = 0.5


@dataclass(frozen=True)
class Part:
    """One process of the topology.

    ``service`` is the docker-compose service it belongs to: the launcher may run several
    replicas of a worker service (``worker-customs-1``, ``worker-customs-2``), compose
    scales the one service instead.
    """

    name: str
    kind: str  # app | worker | scheduler
    args: tuple[str, ...]  # the command after the Python interpreter
    service: str
    port: int | None = None
    queues: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = field(default=())

    def command(self, python: str) -> list[str]:
        return [python, *self.args]


# Worker services: (compose service name, queues, scaled by --workers?).
WORKERS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("worker-gateway", ("gateway",), True),
    ("worker-customs", ("customs",), True),
    ("worker-agencies", ("inspection", "tax", "payments"), False),
)

# Start order, as compose's depends_on (besides PostgreSQL and Redis): a worker starts once
# the app of its queues is healthy (the app has created the tables). Apps do not wait for
# each other: they call each other per request, and an agency not up yet is a 502 there.
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "gateway": (),
    "customs": (),
    "inspection": (),
    "tax": (),
    "payments": (),
    "worker-gateway": ("gateway",),
    "worker-customs": ("customs",),
    "worker-agencies": ("inspection", "tax", "payments"),
    "scheduler": (),
}


def app_args(module: str, host: str, port: int) -> tuple[str, ...]:
    return ("-m", "uvicorn", "--factory", module, "--host", host, "--port", str(port))


def worker_args(queues: tuple[str, ...]) -> tuple[str, ...]:
    return ("-m", "launcher", "worker", "--queues", ",".join(queues))


SCHEDULER_ARGS = ("-m", "launcher", "scheduler")


def parts(*, host: str = "127.0.0.1", base_port: int = 8000, workers: int = 1,
          gateway_processes: int = 1) -> list[Part]:
    """Every process of the topology, in start order.

    The gateway serves with ``gateway_processes`` uvicorn processes on its one port (each
    with its own group commit); ``workers`` rq workers work each scaled queue.
    """
    out = [Part(name, "app", app_args(module, host, base_port + offset)
                + (("--workers", str(gateway_processes)) if name == "gateway" else ()),
                name, port=base_port + offset, depends_on=DEPENDS_ON[name])
           for name, (module, offset) in APPS.items()]
    for service, queues, scaled in WORKERS:
        count = workers if scaled else 1
        for i in range(1, count + 1):
            name = f"{service}-{i}" if scaled else service
            out.append(Part(name, "worker", worker_args(queues), service, queues=queues,
                            depends_on=DEPENDS_ON[service]))
    out.append(Part("scheduler", "scheduler", SCHEDULER_ARGS, "scheduler",
                    depends_on=DEPENDS_ON["scheduler"]))
    return sorted(out, key=lambda p: _depth(p.service))


def services(*, host: str = "127.0.0.1", base_port: int = 8000) -> dict[str, Part]:
    """One part per compose service (workers unscaled, one gateway process), keyed by
    service name."""
    return {p.service: p for p in parts(host=host, base_port=base_port, workers=1)}


def urls(base_port: int = 8000, host_for: Callable[[str], str] = lambda _name: "127.0.0.1",
         ) -> dict[str, str]:
    """``SW_<APP>_URL`` of every app; ``host_for`` names the host of each app."""
    return {URL_VARS[name]: f"http://{host_for(name)}:{base_port + offset}"
            for name, (_module, offset) in APPS.items()}


def _depth(service: str) -> int:
    deps = DEPENDS_ON[service]
    return 0 if not deps else 1 + max(_depth(d) for d in deps)
