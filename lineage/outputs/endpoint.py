"""HTTP for SPARQL endpoints: checked URLs, one total deadline, no cross-origin hops.

Used by :mod:`lineage.outputs.sparql` for ``sparql --endpoint`` and ``push``.
Standard library only (``http.client``). What it promises:

* a URL is ``http://`` or ``https://``, a host, an optional port and path and an
  optional query string; spaces, control characters, credentials (``user:pw@``)
  and malformed hosts are refused before any connection, and no error message
  ever shows a password;
* a URL that names a server's update service (a path ending in ``/update`` or
  ``/statements``, or a ``query=`` or ``update=`` parameter) is refused, so the
  read-only promise cannot be bypassed through the endpoint URL;
* ``timeout`` is a deadline for the whole exchange (connect, send, headers and
  body), however slowly the server trickles bytes;
* redirects are followed only within the same origin (scheme, host and port),
  re-sending the same method and body; a redirect to another origin is an error
  that says so;
* whatever the server sends is shown only as a short, printable excerpt.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass

from ..errors import LineageError, shown

__all__ = ["EndpointError", "Reply", "check_url", "redact", "send"]

#: Largest answer read from an endpoint (bytes); more is refused, not truncated.
MAX_REPLY = 256 * 1024 * 1024
#: Same-origin redirects followed before giving up.
MAX_REDIRECTS = 5
#: Path endings that name a server's update service (Oxigraph and Fuseki
#: ``/update``, RDF4J and GraphDB ``/statements``).
UPDATE_PATHS = ("update", "statements")
#: Query-string parameters that carry a SPARQL operation of their own.
OPERATION_PARAMS = ("query", "update")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
_CHUNK = 64 * 1024


class EndpointError(LineageError):
    """A SPARQL endpoint failed: refused, timed out, HTTP error, not SPARQL."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete 2xx answer: status, content type, body and the URL that gave it."""

    status: int
    content_type: str
    body: bytes
    url: str


def redact(url: str) -> str:
    """``url`` for messages: credentials hidden, unprintable characters escaped.

    Examples
    --------
    >>> redact("http://me:secret@127.0.0.1:7878/query")
    'http://***@127.0.0.1:7878/query'
    """
    text = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1***@", url)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def check_url(url: str, purpose: str = "a SPARQL endpoint") -> str:
    """Return ``url`` if it is safe to send a read-only request to, else raise.

    Raises
    ------
    EndpointError
        The URL is malformed, not http(s), carries credentials, or names an update
        service (see the module docstring); the message names the accepted forms.

    Examples
    --------
    >>> check_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/query'
    >>> check_url("http://127.0.0.1:7878/update")
    Traceback (most recent call last):
    ...
    lineage.outputs.endpoint.EndpointError: 'http://127.0.0.1:7878/update' is a server's update service; lineage only sends read-only requests (use the query URL, e.g. http://HOST:7878/query)
    """
    display = redact(url)
    forms = "expected http(s)://HOST[:PORT]/PATH, e.g. http://127.0.0.1:7878/query"
    if _UNSAFE.search(url):
        msg = (
            f"'{display}' contains a space or a control character; "
            f"percent-encode it (a space is %20); {forms}"
        )
        raise EndpointError(msg)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        msg = f"'{display}' is not a valid URL ({exc}); {forms}"
        raise EndpointError(msg) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        msg = f"'{display}' is not an http(s) URL of {purpose}; {forms}"
        raise EndpointError(msg)
    if port == 0:
        msg = f"'{display}' has port 0; {forms}"
        raise EndpointError(msg)
    if "@" in parts.netloc:
        msg = (
            f"'{display}' carries credentials (user:password@); lineage does not "
            "send them: the password is not shown here, and it would be sent in "
            "clear; use a URL without them"
        )
        raise EndpointError(msg)
    _refuse_update_service(parts, display)
    return url


def _refuse_update_service(parts: urllib.parse.SplitResult, display: str) -> None:
    # decoded first (a server may read %2F as /), path parameters (;x=1) dropped
    path = urllib.parse.unquote(parts.path)
    segments = [s.partition(";")[0].strip().lower() for s in path.split("/")]
    segments = [s for s in segments if s]
    if segments and segments[-1] in UPDATE_PATHS:
        msg = (
            f"'{display}' is a server's update service; lineage only sends "
            "read-only requests (use the query URL, e.g. http://HOST:7878/query)"
        )
        raise EndpointError(msg)
    query = urllib.parse.unquote_plus(parts.query)
    for item in re.split(r"[&;]", query):
        name = item.partition("=")[0].strip().lower()
        if name in OPERATION_PARAMS:
            msg = (
                f"'{display}' carries a '{name}=' parameter; lineage sends the query "
                "itself and never an update: remove the parameter from the URL"
            )
            raise EndpointError(msg)


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int]:
    scheme = parts.scheme.lower()
    default = 443 if scheme == "https" else 80
    return scheme, (parts.hostname or "").lower(), parts.port or default


def _target(parts: urllib.parse.SplitResult) -> str:
    safe = "/%:@!$&'()*+,;=-._~"
    path = urllib.parse.quote(parts.path or "/", safe=safe)
    query = urllib.parse.quote(parts.query, safe=safe + "?")
    return path + (f"?{query}" if query else "")


def _connection(
    parts: urllib.parse.SplitResult, timeout: float
) -> http.client.HTTPConnection:
    host = parts.hostname or ""
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    if parts.scheme.lower() == "https":
        return http.client.HTTPSConnection(
            host, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    return http.client.HTTPConnection(host, parts.port, timeout=timeout)


class _Watchdog:
    """Shuts a socket at the deadline, whatever call is blocked on it.

    (The socket, not the connection: ``http.client`` hands the socket over to
    the response and forgets it.)
    """

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def send(
    method: str,
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    what: str,
) -> Reply:
    """Send one request; return the 2xx reply or raise EndpointError.

    ``timeout`` bounds the whole exchange, redirects included. ``what`` starts
    every message (``"query to"``, ``"upload to"``).
    """
    deadline = time.monotonic() + timeout
    current = check_url(url)
    for _hop in range(MAX_REDIRECTS + 1):
        status, ctype, data, location = _exchange(
            method, current, body, headers, deadline, timeout, what
        )
        if location is None:
            return Reply(status, ctype, data, current)
        current = _follow(current, location, status, what)
    msg = f"{what} {redact(url)} failed: more than {MAX_REDIRECTS} redirects"
    raise EndpointError(msg)


def _follow(current: str, location: str, status: int, what: str) -> str:
    target = urllib.parse.urljoin(current, location)
    here = urllib.parse.urlsplit(current)
    try:
        there = urllib.parse.urlsplit(target)
        same = _origin(there) == _origin(here)
    except ValueError:
        same = False
    if not same:
        msg = (
            f"{what} {redact(current)} failed: the server redirected (HTTP {status}) "
            f"to {redact(target)}, another origin; lineage does not follow redirects "
            "to another scheme, host or port (use that URL as --endpoint if you "
            "trust it)"
        )
        raise EndpointError(msg)
    return check_url(target)


def _exchange(
    method: str,
    url: str,
    body: bytes,
    headers: dict[str, str],
    deadline: float,
    timeout: float,
    what: str,
) -> tuple[int, str, bytes, str | None]:
    """One request and its reply: (status, type, body, redirect location or None)."""
    remaining = deadline - time.monotonic()
    late = (
        f"{what} {redact(url)} failed: no answer within {timeout:g} s "
        "(raise --timeout to wait longer)"
    )
    if remaining <= 0:
        raise EndpointError(late, timed_out=True)
    parts = urllib.parse.urlsplit(url)
    conn = _connection(parts, remaining)
    watchdog: _Watchdog | None = None
    try:
        conn.connect()  # bounded by the connection's timeout
        watchdog = _Watchdog(conn.sock, deadline - time.monotonic())
        conn.request(method, _target(parts), body=body, headers=headers)
        reply = conn.getresponse()
        status = reply.status
        ctype = reply.getheader("Content-Type", "") or ""
        if status in (301, 302, 303, 307, 308) and reply.getheader("Location"):
            return status, ctype, b"", reply.getheader("Location")
        if status >= 400 or status < 200:
            detail = shown(reply.read(2000).decode("utf-8", "replace"))
            msg = f"{what} {redact(url)} failed: HTTP {status} {shown(reply.reason)}"
            raise EndpointError(msg + (f": {detail}" if detail else ""))
        data = _read_body(reply, what, url)
        if watchdog.fired:
            raise EndpointError(late, timed_out=True)
        return status, ctype, data, None
    except EndpointError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if (watchdog and watchdog.fired) or isinstance(exc, TimeoutError):
            raise EndpointError(late, timed_out=True) from None
        raise EndpointError(_failure(what, url, exc)) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()


def _read_body(reply: http.client.HTTPResponse, what: str, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = reply.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_REPLY:
            msg = (
                f"{what} {redact(url)} failed: the server sent more than "
                f"{MAX_REPLY // 2**20} MB; refusing the answer"
            )
            raise EndpointError(msg)
        chunks.append(chunk)


def _failure(what: str, url: str, exc: BaseException) -> str:
    where = f"{what} {redact(url)} failed"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where}: connection refused (is the server running?)"
    if isinstance(exc, socket.gaierror):
        return f"{where}: cannot resolve the host name ({shown(str(exc.strerror))})"
    if isinstance(exc, ssl.SSLError):
        return f"{where}: TLS error ({shown(str(exc))})"
    if isinstance(exc, http.client.HTTPException):
        text = shown(str(exc)) or type(exc).__name__
        return f"{where}: the server did not answer with valid HTTP ({text})"
    if isinstance(exc, OSError):
        return f"{where}: {shown(str(exc.strerror or exc))}"
    return f"{where}: {shown(str(exc))}"
