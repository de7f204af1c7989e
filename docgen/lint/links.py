"""Relative links to `.md` pages: broken (DG808) or resolving only case-insensitively (DG809).

Links are found in the page's text outside code fences: inline `[text](target)` and reference
definitions `[label]: target`. `[!INCLUDE [x](path)]` lines are left out: includes are not
pages of the input. Targets with a scheme, absolute paths and same-page anchors are not checked."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from docgen.diagnostics import Sink
from docgen.ir import Span
from docgen.lint.text import fences

_INLINE = re.compile(r"\]\(\s*<?([^()\s<>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def check_links(rel: str, display: str, lines: list[str], pages: frozenset[str], sink: Sink) -> None:
    """`pages`: every page of the input, relative to it (posix)."""
    by_lower: dict[str, str] = {}
    for page in sorted(pages):
        by_lower.setdefault(page.lower(), page)
    inside = set()
    for fence in fences(lines):
        inside.update(range(fence.start, fence.end + 1))
    folder = posixpath.dirname(rel)
    for number, line in enumerate(lines, 1):
        if number in inside or "[!INCLUDE" in line.upper():
            continue
        matches = list(_INLINE.finditer(line)) + list(_DEFINITION.finditer(line))
        for match in sorted(matches, key=lambda m: m.start(1)):
            target = match.group(1)
            path = unquote(target.split("#", 1)[0].split("?", 1)[0])
            if not path.lower().endswith(".md") or _SCHEME.match(path) or path.startswith("/"):
                continue
            resolved = posixpath.normpath(posixpath.join(folder, path))
            if resolved in pages:
                continue
            span = Span(path=display, line=number)
            col = match.start(1) + 1
            actual = by_lower.get(resolved.lower())
            if actual is not None:
                fixed = posixpath.relpath(actual, folder or ".") + target[len(target.split("#", 1)[0]) :]
                sink.report(
                    "DG809",
                    span,
                    f"link {target!r} finds its page only case-insensitively (Graph's docs site and "
                    f"case-sensitive file systems do not): write it as {fixed!r}",
                    col,
                )
            elif resolved.startswith("../") or resolved == "..":
                sink.report(
                    "DG808",
                    span,
                    f"link {target!r} points outside the input folder, to a page docgen cannot check: "
                    "correct it, or lint the folder that holds its target too",
                    col,
                )
            else:
                sink.report(
                    "DG808",
                    span,
                    f"link {target!r} points at {resolved!r}, which is not a page of the input: correct the link "
                    "or add the page",
                    col,
                )
