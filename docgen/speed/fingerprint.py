"""What the output depends on, as hashes: so that `check` can tell an up-to-date tree without
regenerating it, and caches are keyed by everything that shapes what they hold.

Kept light on purpose: `docgen check` on an up-to-date tree imports only this, the manifest
and the config, not markdown-it, Jinja or black."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from docgen import __version__

# The third-party code whose version changes what docgen writes.
_SHAPING = ("black", "markdown-it-py", "jinja2")


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        # surrogateescape: a file name need not be UTF-8
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """docgen's own code (every module, not only its version: an edited generator must not
    pass as up to date) and the versions of the libraries that shape the output."""
    package = Path(__file__).resolve().parent.parent  # docgen/, this file is in docgen/speed/
    parts: list[bytes | str] = [__version__]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name in _SHAPING:
        try:
            parts += [name, metadata.version(name)]
        except metadata.PackageNotFoundError:
            parts += [name, "absent"]
    return digest(*parts)


_FILES: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """The hash of a file's bytes ("" when it cannot be read), read once per process while its
    size and modification time stay the same: a build's input fingerprint and its page cache
    keys both need every page's hash."""
    try:
        stat = path.stat()
    except OSError:
        return ""
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    found = _FILES.get(key)
    if found is None:
        try:
            found = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return ""
        _FILES[key] = found
    return found


def folder_fingerprint(folder: Path | None, pattern: str) -> list[bytes | str]:
    if folder is None or not folder.is_dir():
        return ["-"]
    parts: list[bytes | str] = []
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        parts += [path.relative_to(folder).as_posix(), file_digest(path)]
    return parts


def input_fingerprint(input_dir: Path, templates: tuple[Path | None, ...], settings: tuple[str, ...]) -> str:
    """Every input of a build: the pages (names and bytes), the templates, the settings that
    reach the output, and the tool itself. The same on every machine: no absolute paths."""
    parts: list[bytes | str] = [tool_fingerprint(), *settings]
    parts += folder_fingerprint(input_dir, "*.md")
    for folder in templates:
        parts += ["templates", *folder_fingerprint(folder, "*.j2")]
    return digest(*parts)
