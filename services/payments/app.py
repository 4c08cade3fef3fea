"""The payments app."""

from __future__ import annotations

from fastapi import FastAPI

from infra.web import health_router, make_app
from services.payments import models  # noqa: F401  (registers the tables)
from services.payments.config import Settings
from services.payments.db import resources
from services.payments.routes import router


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is not None:
        resources.configure(settings)
    app = make_app("Single window: payments and foreign exchange", "0.1.0",
                   startup=lambda: (resources.engine(), None)[1], shutdown=resources.close)
    app.include_router(health_router("payments", resources.engine, resources.redis))
    app.include_router(router)
    return app
