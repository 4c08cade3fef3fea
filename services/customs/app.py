"""The customs app."""

from __future__ import annotations

from fastapi import FastAPI

from infra.web import health_router, make_app
from services.customs import models  # noqa: F401  (registers the tables)
from services.customs.config import Settings
from services.customs.db import resources
from services.customs.import_.routes import router as import_router
from services.customs.routes import router


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is not None:
        resources.configure(settings)
    app = make_app("Single window: customs", "0.1.0",
                   startup=lambda: (resources.engine(), None)[1], shutdown=resources.close)
    app.include_router(health_router("customs", resources.engine, resources.redis))
    app.include_router(router)
    app.include_router(import_router)  # retail imports: account books, buyers' usage
    return app
