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
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_UNQUOTED_KEY = re.compile(r'([{,]\s*)([A-Za-z_@$][\w.@$-]*)(\s*:)')
_ELLIPSIS_ITEM = re.compile(r"(?<=[\[,{])\s*(\.\.\.|…)\s*(?=[,\]}])")


class LenientError(ValueError):
    """Raised with the 1-based line (relative to the text) where strict parsing failed."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def loads(text: str) -> tuple[Any, bool]:
    """Parse JSON; returns (value, repaired). Raises LenientError when even repairs fail."""
    try:
        return json.loads(text), False
    except json.JSONDecodeError as exc:
        first = exc
    repaired = _repair(text)
    try:
        # strict=False also admits raw control characters (tabs, newlines) inside strings.
        return json.loads(repaired, strict=False), True
    except json.JSONDecodeError:
        raise LenientError(first.msg, first.lineno) from None


def _repair(text: str) -> str:
    text = text.translate(_ODD_SPACES).translate(_SMART_QUOTES)
    text = _ELLIPSIS_LINE.sub("", text)
    # Drop comments but keep strings intact (a URL's // is not a comment).
    text = _STRING_OR_COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    text = _UNQUOTED_KEY.sub(r'\1"\2"\3', text)
    text = _ELLIPSIS_ITEM.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_COMMA.sub(r"\1", text)
        text = re.sub(r"([\[{])\s*,", r"\1", text)
    return text
