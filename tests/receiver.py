"""A real HTTP server on 127.0.0.1 for tests of requests the service sends out (webhooks, link checks).

Each path answers from a script of responses (the last one repeats), and every request is recorded. The
`allow_loopback` fixture lets the outbound guard reach it, for the test only.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

LOOPBACK = ["127.0.0.0/8", "::1/128"]


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0
    # Run while the request is being answered (in the server's thread): what else happens meanwhile.
    meanwhile: Callable[[], None] | None = None


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class Receiver:
    """Serves until the `with` block ends; over TLS when given a server context."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.received: list[Received] = []
        self.scripts: dict[str, list[Answer]] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with receiver._lock:
                    receiver.received.append(Received(self.command, self.path, dict(self.headers.items()), body,
                                                      time.time()))
                    script = receiver.scripts.get(self.path.split("?")[0], [Answer()])
                    answer = script.pop(0) if len(script) > 1 else script[0]
                if answer.meanwhile is not None:
                    answer.meanwhile()
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    with contextlib.suppress(OSError):  # the client gave up waiting (a read time-out test)
                        self.wfile.write(answer.body)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "http" if tls is None else "https"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def script(self, path: str, *answers: Answer) -> None:
        with self._lock:
            self.scripts[path] = list(answers)

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path.split("?")[0] == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def allow_loopback(app: Flask, monkeypatch) -> None:
    """The guard refuses loopback; these tests' receiver is on loopback, so it is allowed for the test."""
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", list(LOOPBACK))
