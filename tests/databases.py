"""Private databases and real outages for tests that must not touch the shared test database.

A fresh database is of the same kind as the suite's: a new SQLite file, or a new schema in the
PostgreSQL database named by DATABASE_URL (so the test needs no right to create databases).
An outage is real: the SQLite file becomes unopenable, or the TCP connection to PostgreSQL is cut.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from engage import create_app
from engage.extensions import db


@contextlib.contextmanager
def fresh_database(shared_url: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database on the suite's database server, removed afterwards."""
    if shared_url.startswith("sqlite"):
        yield f"sqlite:///{directory / 'fresh.sqlite3'}"
        return
    schema = f"fresh_{secrets.token_hex(6)}"
    owner = create_engine(shared_url, poolclass=NullPool)
    with owner.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(shared_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with owner.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        owner.dispose()


def migrated_app(database_url: str, **overrides: Any) -> Flask:
    """A test app of its own, on its own database, migrated to the latest revision."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    with app.app_context():
        upgrade()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Outage(Protocol):
    def cut(self) -> None: ...

    def restore(self) -> None: ...


class SqliteFileOutage:
    """Makes a SQLite database file unopenable by putting a directory where the file was."""

    def __init__(self, app: Flask, path: Path):
        self.app = app
        self.path = path
        self.away = path.with_name(path.name + ".away")

    def _files(self) -> list[Path]:
        return [self.path.with_name(self.path.name + suffix) for suffix in ("", "-wal", "-shm")]

    def cut(self) -> None:
        # Connections already open keep the file's handle, so the pool must let them go first.
        dispose(self.app)
        self.away.mkdir()
        for file in self._files():
            if file.exists():
                shutil.move(file, self.away / file.name)
        self.path.mkdir()

    def restore(self) -> None:
        self.path.rmdir()
        for file in self.away.iterdir():
            shutil.move(file, self.path.parent / file.name)
        self.away.rmdir()


class TcpProxy:
    """Forwards connections on a loopback port to a server. While cut, live connections are closed
    and new ones are closed as soon as they are accepted, as when a database server goes away."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._up = True
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connect(client)

    def _connect(self, client: socket.socket) -> None:
        with self._lock:
            if not self._up:
                client.close()
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                return
            server.settimeout(None)
            client.settimeout(None)
            self._live |= {client, server}
        for source, destination in ((client, server), (server, client)):
            threading.Thread(target=self._pipe, args=(source, destination), daemon=True).start()

    def _pipe(self, source: socket.socket, destination: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                destination.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(destination)

    def _close(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            # shutdown wakes the thread blocked in recv on this socket; close alone would not.
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        with self._lock:
            self._live.discard(sock)

    def cut(self) -> None:
        with self._lock:
            self._up = False
            live = list(self._live)
        for sock in live:
            self._close(sock)

    def restore(self) -> None:
        with self._lock:
            self._up = True

    def close(self) -> None:
        self.cut()
        self._stopping.set()
        self._thread.join(timeout=2)
        self._listener.close()


class ProxyOutage:
    def __init__(self, proxy: TcpProxy):
        self.proxy = proxy

    def cut(self) -> None:
        self.proxy.cut()

    def restore(self) -> None:
        self.proxy.restore()


@contextlib.contextmanager
def app_with_outage(shared_url: str, directory: Path) -> Iterator[tuple[Flask, Outage]]:
    """A migrated app on a private database, and the means to take that database away and back."""
    with fresh_database(shared_url, directory) as url:
        if url.startswith("sqlite"):
            app = migrated_app(url)
            try:
                yield app, SqliteFileOutage(app, Path(make_url(url).database))
            finally:
                dispose(app)
            return
        parsed = make_url(url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        app = migrated_app(parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        try:
            yield app, ProxyOutage(proxy)
        finally:
            proxy.restore()
            dispose(app)
            proxy.close()
