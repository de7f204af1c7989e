"""What the output depends on, as hashes: so that `check` can tell an up-to-date tree without
regenerating it, and caches are keyed by everything that shapes what they hold.

Kept light on purpose: `docgen check` on an up-to-date tree imports only this, the manifest
and the config, not markdown-it, Jinja or black."""

from __future__ import annotations

import fnmatch
import hashlib
import os
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


def file_digest(path: Path | str) -> str:
    """The hash of a file's bytes ("" when it cannot be read), read once per process while its
    size and modification time stay the same: a build's input fingerprint and its page cache
    keys both need every page's hash."""
    name = str(path)
    try:
        stat = os.stat(name)
    except OSError:
        return ""
    key = (name, stat.st_size, stat.st_mtime_ns)
    found = _FILES.get(key)
    if found is None:
        try:
            with open(name, "rb") as handle:
                found = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            return ""
        _FILES[key] = found
    return found


def folder_fingerprint(folder: Path | None, pattern: str) -> list[bytes | str]:
    if folder is None or not folder.is_dir():
        return ["-"]
    parts: list[bytes | str] = []
    top = _prefix(folder)
    # relative paths by string slicing (relative_files): at 10,000 pages pathlib's
    # relative_to and comparisons cost a tenth of a second each
    for rel in relative_files(folder, pattern):
        parts += [rel, file_digest(Path(top + rel))]
    return parts


def _prefix(folder: Path) -> str:
    """What every path rglob yields below folder starts with (Path(".") yields bare names)."""
    return "" if str(folder) == "." else str(folder) + os.sep


def relative_files(folder: Path, pattern: str) -> list[str]:
    """The files below folder that match pattern, as posix paths relative to it, in the order
    Path objects sort in (part by part): what `folder.rglob(pattern)` finds (symlinked folders
    not followed, hidden names included), walked with plain strings (10,000 pages at full scale)."""
    root = str(folder)
    found = []
    for here, _, files in os.walk(root):
        prefix = os.path.relpath(here, root) + os.sep if here != root else ""
        for name in files:
            if fnmatch.fnmatchcase(name, pattern) and os.path.isfile(os.path.join(here, name)):
                found.append(prefix + name)
    return [rel.replace(os.sep, "/") for rel in sorted(found, key=lambda r: r.split(os.sep))]


def input_fingerprint(input_dir: Path, templates: tuple[Path | None, ...], settings: tuple[str, ...]) -> str:
    """Every input of a build: the pages (names and bytes), the templates, the settings that
    reach the output, and the tool itself. The same on every machine: no absolute paths."""
    parts: list[bytes | str] = [tool_fingerprint(), *settings]
    parts += folder_fingerprint(input_dir, "*.md")
    for folder in templates:
        parts += ["templates", *folder_fingerprint(folder, "*.j2")]
    return digest(*parts)
