"""Stage 6: black, in memory. Rendered code that does not parse is a docgen bug (DG602)."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

# What a formatted text depends on besides its source: bump the mode part when _mode() changes.
FORMATTER = f"black {metadata.version('black')}, mode: defaults"


class FormatProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(line, message)  # both in args: it must survive pickling from a worker
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return self.message


@lru_cache(maxsize=1)
def _mode():
    import black  # imported here: `docgen check` on an up-to-date tree may not need it

    # black's defaults, so that `black --check` on the output agrees byte for byte.
    return black.Mode()


@lru_cache(maxsize=64)
def format_python(source: str) -> str:
    """black's formatting of source (cached: the same text, e.g. the static runtime, is
    formatted once per process)."""
    import black

    try:
        compile(source, "<generated>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise FormatProblem(exc.lineno or 1, f"{exc.msg}: {(exc.text or '').strip()[:80]!r}") from None
    try:
        return black.format_str(source, mode=_mode())
    except black.InvalidInput as exc:  # pragma: no cover - compile() above catches these first
        raise FormatProblem(1, str(exc)) from None
