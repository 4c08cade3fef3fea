"""The minimal baseline: a bare FastAPI endpoint that parses the same XML and inserts one
row with sqlite3 (WAL, synchronous=NORMAL, the same durability as the gateway)."""

from __future__ import annotations

import os
import sqlite3
import threading

from fastapi import FastAPI, Request, Response
from lxml import etree

CEB = "{http://www.chinaport.gov.cn/ceb}"


def create_app() -> FastAPI:
    app = FastAPI()
    path = os.environ.get("BASELINE_DB", "baseline.db")
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS message (guid TEXT PRIMARY KEY, type TEXT, "
                 "body BLOB)")
    lock = threading.Lock()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/messages")
    async def post(request: Request) -> Response:
        body = await request.body()
        root = etree.fromstring(body)
        guid = root.get("guid")
        with lock:
            conn.execute("INSERT INTO message VALUES (?, ?, ?)", (guid, root.tag, body))
        return Response(status_code=202)

    return app
