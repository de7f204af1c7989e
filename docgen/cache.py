"""A content-addressed cache of parsed pages and formatted files, outside the project.

Where: $DOCGEN_CACHE_DIR, else $XDG_CACHE_HOME/docgen, else ~/.cache/docgen; `DOCGEN_CACHE_DIR=`
(empty) turns it off. Keys hash every input that shapes an entry (docgen's code and the versions
of black, markdown-it-py and Jinja included), so an entry is never stale. Every entry carries a
checksum of itself: a damaged or truncated entry is a miss, never wrong output, and deleting the
folder at any time is safe."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path | None:
    configured = os.environ.get("DOCGEN_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "docgen"


class Cache:
    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _path(self, kind: str, key: str) -> Path | None:
        return None if self.root is None else self.root / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        try:
            data = path.read_bytes() if path is not None else None
        except OSError:
            return None
        if data is None or len(data) < 32 or hashlib.sha256(data[32:]).digest() != data[:32]:
            return None
        return data[32:]

    def put(self, kind: str, key: str, payload: bytes) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(hashlib.sha256(payload).digest() + payload)
            os.replace(handle.name, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next run slower

    def get_object(self, kind: str, key: str) -> Any:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # an entry from another docgen build: a miss
            return None

    def put_object(self, kind: str, key: str, value: Any) -> None:
        self.put(kind, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
