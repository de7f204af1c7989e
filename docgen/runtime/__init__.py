"""The runtime of the generated package: real modules of docgen's, copied into the output
(after docgen's header line) rather than rendered from templates.

- `_runtime.py` becomes `<package>/_runtime.py`: models, errors, HTTP cores. It needs
  pydantic and httpx, so the generator never imports it (`docgen check` stays light).
- `_tasks.py` becomes `<package>/_tasks.py`: the task helpers (batching, large uploads,
  long-running operations, delta) the clients inherit and the methods return.
- `_wire.py` becomes `<package>/_wire.py`: the Edm value grammar and the path choice,
  standard library only. `_runtime` imports it relatively; the generator imports it as
  `docgen.runtime._wire`, so both sides apply the same rules.

Importing this package imports neither module.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

__all__ = ["SHIPPED", "runtime_exports", "shipped_text", "task_exports"]

_HERE = Path(__file__).resolve().parent

# module file -> the template that replaces it when a --templates folder holds one
SHIPPED: dict[str, str] = {
    "_runtime.py": "runtime.py.j2",
    "_wire.py": "wire.py.j2",
    "_tasks.py": "tasks.py.j2",
}

_ALL = re.compile(r"^__all__ = (\[[^\]]*\])", re.MULTILINE)


@cache
def shipped_text(module: str) -> str:
    """The text of a shipped module (read once per process)."""
    if module not in SHIPPED:
        raise ValueError(f"{module!r} is not a shipped runtime module")
    return (_HERE / module).read_text(encoding="utf-8")


@cache
def runtime_exports() -> tuple[str, ...]:
    """`_runtime.__all__` (the names the generated package re-exports, in order), read from
    the source: importing it would load pydantic and httpx, and parsing all of it with `ast`
    costs about 5 ms a build; this literal alone costs microseconds."""
    return _exports("_runtime.py")


@cache
def task_exports() -> tuple[str, ...]:
    """`_tasks.__all__` (the task helpers the package re-exports beside the runtime's)."""
    return _exports("_tasks.py")


def _exports(module: str) -> tuple[str, ...]:
    match = _ALL.search(shipped_text(module))
    if match is None:
        raise RuntimeError(f"docgen/runtime/{module} has no one-literal `__all__ = [...]`")
    return tuple(ast.literal_eval(match.group(1)))
