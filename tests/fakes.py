"""Hostile fake servers on 127.0.0.1 for the endpoint tests (standard library only).

``FakeServer`` answers each path with what a test set for it (status, headers,
body, optionally trickled a byte at a time) and records every request it gets,
so a test can assert that nothing was asked of it.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

SELECT_ROW = (
    b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    b'[{"x": {"type": "literal", "value": "FROM-THE-FAKE"}}]}}'
)
SPARQL_JSON = "application/sparql-results+json"


@dataclass
class Route:
    status: int = 200
    body: bytes = SELECT_ROW
    content_type: str = SPARQL_JSON
    headers: dict[str, str] = field(default_factory=dict)
    drip: float | None = None  # seconds between bytes of the body


@dataclass
class Seen:
    method: str
    path: str
    body: bytes


class FakeServer:
    """A threading HTTP server whose routes and log the test controls."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.seen.append(Seen(self.command, self.path, body))
                route = fake.routes.get(self.path.partition("?")[0], Route())
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    if route.drip is None:
                        self.wfile.write(route.body)
                        return
                    for i in range(len(route.body)):
                        self.wfile.write(route.body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(route.drip)
                except OSError:
                    pass

            do_GET = _any  # noqa: N815 - the names http.server looks up
            do_POST = _any  # noqa: N815
            do_PUT = _any  # noqa: N815

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, **kwargs: Any) -> str:
        """Set the answer for ``path``; return its full URL."""
        self.routes[path] = Route(**kwargs)
        return self.url + path


@contextmanager
def fake_server() -> Iterator[FakeServer]:
    fake = FakeServer()
    thread = threading.Thread(target=fake.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.httpd.shutdown()
        fake.httpd.server_close()
        thread.join(5)
