"""The tax app."""

from __future__ import annotations

from fastapi import FastAPI

from infra.web import health_router, make_app
from services.tax import models  # noqa: F401  (registers the tables)
from services.tax.config import Settings
from services.tax.db import resources
from services.tax.routes import router


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is not None:
        resources.configure(settings)
    app = make_app("Single window: tax", "0.1.0",
                   startup=lambda: (resources.engine(), None)[1], shutdown=resources.close)
    app.include_router(health_router("tax", resources.engine, resources.redis))
    app.include_router(router)
    return app
