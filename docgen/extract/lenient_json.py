"""JSON as it is written in docs: strict first, then a few documented repairs.

Repairs (each reported by the caller as a warning): raw control characters inside strings,
NBSP and other odd spaces, smart quotes
used as JSON quotes, `//` and `/* */` comments, lines that are only `...` or `…`, `...`
placeholders inside arrays/objects, and trailing commas. Nothing here ever evaluates text.
"""

from __future__ import annotations

import json
import re
from typing import Any

_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u200b\u2007\u2009\ufeff"), " ")
_SMART_QUOTES = dict.fromkeys(map(ord, "\u201c\u201d"), '"')
_ELLIPSIS_LINE = re.compile(r"^\s*(\.\.\.|…)\s*,?\s*$", re.MULTILINE)
_UNQUOTED_KEY = re.compile(r"([{,]\s*)([A-Za-z_@$][\w.@$-]*)(\s*:)")
_ELLIPSIS_ITEM = re.compile(r"(?<=[\[,{])\s*(\.\.\.|…)\s*(?=[,\]}])")


class LenientError(ValueError):
    """Raised with the 1-based line (relative to the text) where strict parsing failed."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


MAX_DEPTH = 100  # deeper values cannot become Python literals (the parser's nesting limit is 200)


def loads(text: str) -> tuple[Any, bool]:
    """Parse JSON; returns (value, repaired). Raises LenientError when even repairs fail.
    NaN and Infinity (not JSON), numbers out of float range, integers too long for Python and
    values nested deeper than MAX_DEPTH are errors too."""
    try:
        return _strict(text), False
    except LenientError as exc:
        first = exc
    try:
        # the repaired text may hold raw control characters (tabs, newlines) inside strings
        return _strict(_repair(text), strict=False), True
    except LenientError:
        raise first from None


def _strict(text: str, strict: bool = True) -> Any:
    try:
        value = json.loads(text, strict=strict, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise LenientError(exc.msg, exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise LenientError(str(exc).split(":")[0] or type(exc).__name__, 1) from None
    if _too_deep(value):
        raise LenientError(f"nested deeper than {MAX_DEPTH} levels", 1)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _too_deep(value: Any) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _repair(text: str) -> str:
    text = text.translate(_ODD_SPACES).translate(_SMART_QUOTES)
    text = _ELLIPSIS_LINE.sub("", text)
    text = _strip_comments(text)
    text = _UNQUOTED_KEY.sub(r'\1"\2"\3', text)
    text = _ELLIPSIS_ITEM.sub("", text)
    return _drop_stray_commas(text)


def _string_end(text: str, start: int) -> int:
    """The index of the quote that closes the string opened at `start` (or where the line or
    the text ends first: an unclosed string stops there)."""
    end, size = start + 1, len(text)
    while end < size and text[end] != '"' and text[end] != "\n":
        end += 2 if text[end] == "\\" else 1
    return end


def _strip_comments(text: str) -> str:
    """Drop `//` and `/* */` comments but keep strings intact (a URL's // is not a comment).
    One linear pass: unclosed strings and comments must not cost quadratic time."""
    out: list[str] = []
    index, size = 0, len(text)
    block_comments = True  # false once a `/*` found no `*/`: none after it will either
    while index < size:
        char = text[index]
        if char == '"':
            end = _string_end(text, index)
            out.append(text[index : end + 1])
            index = end + 1
        elif text.startswith("//", index):
            end = text.find("\n", index)
            index = size if end == -1 else end
        elif block_comments and text.startswith("/*", index):
            end = text.find("*/", index + 2)
            if end == -1:
                block_comments = False
                out.append(char)
                index += 1
            else:
                index = end + 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _drop_stray_commas(text: str) -> str:
    """Commas right after `[`/`{`/`,` or right before `]`/`}` go (outside strings), in one
    linear pass: a run of commas must not cost quadratic time."""
    out: list[str] = []
    last = ""  # the last significant character written
    last_at = -1  # its index in out
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char == '"':
            end = _string_end(text, index)
            chunk = text[index : end + 1]
            out.append(chunk)
            last, last_at = '"', len(out) - 1
            index = end + 1
            continue
        if char == "," and last in ("[", "{", ",", ""):
            index += 1
            continue
        if char in "]}" and last == ",":
            out[last_at] = ""
        if not char.isspace():
            last, last_at = char, len(out)
        out.append(char)
        index += 1
    return "".join(out)
