"""An on-disk cache of the compiled facts, so unchanged facts are not parsed again.

The key is a SHA-256 over the library's own version, the bytes of the modules that
shape the compiled form, and the path and bytes of every fact file, so any edit
invalidates it. Entries are written to a temporary file and renamed into place
(atomic, safe when several runs race), and carry a checksum of their payload: a
truncated or corrupt entry is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from typing import TYPE_CHECKING, Any

from .._entry import CODE_FILES
from ..facts.files import Unreadable, read_fact_bytes

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["cache_dir", "cache_key", "read_cache", "write_cache"]

_MAGIC = b"LINEAGE-CACHE-1\n"


def _directory() -> str:
    explicit = os.environ.get("LINEAGE_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return os.path.join(base, "lineage")


def cache_dir() -> Path:
    """``$LINEAGE_CACHE_DIR``, or ``$XDG_CACHE_HOME/lineage``, or ``~/.cache/lineage``."""
    from pathlib import Path

    return Path(_directory())


def cache_key(files: list[Path]) -> str:
    """A digest of the code and of every fact file's path and content."""
    digest = hashlib.sha256()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in CODE_FILES:
        with open(os.path.join(here, name), "rb") as handle:
            digest.update(handle.read())
    for path in files:
        digest.update(os.fsencode(path.resolve()) + b"\0")
        try:
            digest.update(read_fact_bytes(path))
        except Unreadable as exc:  # the loader reports it; the key only must differ
            digest.update(b"\0unreadable:" + exc.code.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def read_cache(key: str) -> Any:
    """The cached object for ``key``, or ``None`` if absent, stale or corrupt."""
    try:
        with open(os.path.join(_directory(), f"{key}.pickle"), "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(_MAGIC) + 64
    if len(data) < head or not data.startswith(_MAGIC):
        return None
    checksum = data[len(_MAGIC) : head].decode("ascii", "replace")
    payload = data[head:]
    if hashlib.sha256(payload).hexdigest() != checksum:
        return None
    import gc

    paused = gc.isenabled()
    gc.disable()  # millions of acyclic objects: the collector only slows this down
    try:
        return pickle.loads(payload)  # noqa: S301 - our own file, checksummed
    except Exception:  # noqa: BLE001 - any unpickling failure means "rebuild"
        return None
    finally:
        if paused:
            gc.enable()


def write_cache(key: str, value: Any) -> None:
    """Store ``value`` under ``key`` atomically; failures are silently skipped."""
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        import gc

        paused = gc.isenabled()
        gc.disable()
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            if paused:
                gc.enable()
        blob = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, directory / f"{key}.pickle")
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return  # a read-only or full cache directory must never break a query
