"""HTTP plumbing shared by every part: the health route and the app skeleton."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine

from infra.errors import install_error_handlers


def health_router(part: str, engine: Callable[[], Engine], redis: Callable[[], Any]) -> APIRouter:
    """``GET /health``: the part's name and whether its database and Redis answer."""
    router = APIRouter(tags=["health"])

    @router.get("/health")
    def health() -> dict[str, str]:
        checks = {"service": part, "status": "ok", "database": "ok", "redis": "ok"}
        try:
            with engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # reported, not raised: health tells what is wrong
            checks["database"], checks["status"] = f"error: {exc.__class__.__name__}", "degraded"
        try:
            redis().ping()
        except Exception as exc:
            checks["redis"], checks["status"] = f"error: {exc.__class__.__name__}", "degraded"
        return checks

    return router


def make_app(title: str, version: str, startup: Callable[[], None],
             shutdown: Callable[[], None] | None = None, **kwargs: Any) -> FastAPI:
    """A FastAPI app whose lifespan runs ``startup``/``shutdown`` and renders AppErrors."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        startup()
        try:
            yield
        finally:
            if shutdown:
                shutdown()

    app = FastAPI(title=title, version=version, lifespan=lifespan, **kwargs)
    install_error_handlers(app)
    return app
