"""A content-addressed cache of parsed pages and formatted files, outside the project.

Where: $DOCGEN_CACHE_DIR, else $XDG_CACHE_HOME/docgen, else ~/.cache/docgen; `DOCGEN_CACHE_DIR=`
(empty) turns it off. Keys hash every input that shapes an entry (docgen's code and the versions
of black, markdown-it-py and Jinja included), so an entry is never stale. Every entry carries a
checksum of itself: a damaged or truncated entry is a miss, never wrong output, and deleting the
folder at any time is safe.

The entries live in one SQLite file, written once per run in one transaction: creating a file
per entry cost a cold build of the 427-page sample about 0.3 s of kernel time (1,300 new
files), more than everything else the cache does. A file SQLite cannot read is deleted and
started afresh; one it cannot write to (locked by another run for too long, read-only) only
makes this run slower."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

FILE = "cache.sqlite3"


def cache_dir() -> Path | None:
    configured = os.environ.get("DOCGEN_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "docgen"


class Cache:
    """get() reads at once; put() holds entries until flush() (the end of generation)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._db: Any = None  # sqlite3.Connection, opened on first use
        self._pending: list[tuple[str, str, bytes]] = []

    def _connection(self) -> Any:
        if self._db is None and self.root is not None:
            import sqlite3  # here: `docgen check` on an up-to-date tree never opens the cache

            path = self.root / FILE
            for attempt in range(2):
                db = None
                try:
                    self.root.mkdir(parents=True, exist_ok=True)
                    db = sqlite3.connect(path, timeout=2, isolation_level=None, check_same_thread=False)
                    db.execute("PRAGMA synchronous=OFF")  # losing the newest entries in a crash is fine
                    db.execute(
                        "CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, data BLOB, PRIMARY KEY (kind, key))"
                    )
                    self._db = db
                    break
                except sqlite3.OperationalError:  # locked by another run, read-only, ...: no cache
                    _close(db)
                    break
                except sqlite3.DatabaseError:  # not a database, or damaged: start afresh, once
                    _close(db)
                    if attempt == 0:
                        _remove(path)
                except (sqlite3.Error, OSError):
                    _close(db)
                    break
            if self._db is None:
                self.root = None  # no cache for the rest of this run
        return self._db

    def _give_up(self, error: Exception) -> None:
        """After an error: no more cache this run, so that no later call waits again. A
        damaged file is removed too (the next run starts a new one); a locked one is not."""
        import sqlite3

        _close(self._db)
        self._db = None
        if self.root is not None and isinstance(error, sqlite3.DatabaseError):
            if not isinstance(error, sqlite3.OperationalError):
                _remove(self.root / FILE)
        self.root = None
        self._pending.clear()

    def get(self, kind: str, key: str) -> bytes | None:
        db = self._connection()
        if db is None:
            return None
        try:
            row = db.execute("SELECT data FROM entries WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        except Exception as error:  # sqlite3.Error: locked or damaged, a miss
            self._give_up(error)
            return None
        data = row[0] if row is not None else None
        if not isinstance(data, bytes) or len(data) < 32 or hashlib.sha256(data[32:]).digest() != data[:32]:
            return None
        return data[32:]

    def put(self, kind: str, key: str, payload: bytes) -> None:
        if self.root is not None:
            self._pending.append((kind, key, hashlib.sha256(payload).digest() + payload))

    def flush(self) -> None:
        """Write what put() held, in one transaction."""
        pending, self._pending = self._pending, []
        db = self._connection() if pending else None
        if db is None:
            return
        try:
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", pending)
        except Exception as error:  # sqlite3.Error: a cache that cannot be written only makes the next run slower
            self._give_up(error)

    def close(self) -> None:
        self.flush()
        _close(self._db)
        self._db = None

    def get_object(self, kind: str, key: str) -> Any:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # an entry from another docgen build: a miss
            return None


def _close(db: Any) -> None:
    if db is not None:
        try:
            db.close()
        except Exception:
            pass


def _remove(path: Path) -> None:
    for name in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            name.unlink()
        except OSError:
            pass
