"""The gateway app: the single window that integrators talk to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from gateway import models  # noqa: F401  (registers the tables)
from gateway.clients import AgencyClient, CustomsClient, InspectionClient, TaxClient
from gateway.config import Settings
from gateway.db import resources
from gateway.routes import (
    declarations,
    enterprises,
    imports,
    inspection,
    messages,
    receipts,
    sim,
)
from gateway.writer import IntakeWriter
from infra.errors import install_error_handlers
from infra.web import health_router

DESCRIPTION = """Cross-border e-commerce single window (simulator).

Register an enterprise (admin token), then send CEB messages with its API key:
`POST /api/v1/messages` (XML or the JSON mirror), pull receipts with
`GET /api/v1/receipts?after=<cursor>` or receive them as signed webhooks."""


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is not None:
        resources.configure(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config: Settings = resources.config()
        engine = resources.engine()
        writer = IntakeWriter(engine, resources.redis(), config.intake_batch_size,
                              linger=config.dispatch_linger_seconds)
        writer.start()
        timeout = httpx.Timeout(config.agency_timeout_seconds, connect=2.0)
        async with httpx.AsyncClient(timeout=timeout) as http:
            urls = config.agency_urls()
            app.state.writer = writer
            app.state.agencies = {
                "customs": CustomsClient("customs", urls["customs"], http),
                "inspection": InspectionClient("inspection", urls["inspection"], http),
                "tax": TaxClient("tax", urls["tax"], http),
                "payments": AgencyClient("payments", urls["payments"], http),
            }
            try:
                yield
            finally:
                await writer.stop()
                resources.close()

    app = FastAPI(title="Single window (simulator)", version="0.1.0",
                  description=DESCRIPTION, lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(health_router("gateway", resources.engine, resources.redis))
    # the message intake first: routes are matched in order, and it is the busiest
    app.router.routes.insert(0, messages.fast_route())
    for module in (messages, enterprises, receipts, declarations, inspection, imports, sim):
        app.include_router(module.router)
    return app
