"""Escaping: the only ways text from a page becomes Python source.

`Code` is text that is already valid Python (a name, a literal, a docstring); templates can print
nothing else (see `render`). Page text becomes Code only through `py` (a literal), `doc` (a
docstring) or `comment` (a `#` comment), each of which makes it inert whatever it holds.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any


class Code(str):
    """Text that is already valid Python source: a name, a literal, a docstring."""

    __slots__ = ()

    def __html__(self) -> str:  # Jinja's autoescape passes Code through untouched
        return str(self)


def py(value: Any) -> Code:
    """A Python literal for a JSON-like value; strings through repr, never raw."""
    if value is None or isinstance(value, bool):
        return Code(repr(value))
    if isinstance(value, int):
        return Code(repr(value))
    if isinstance(value, float):
        return Code(repr(value) if math.isfinite(value) else f'float("{value}")')
    if isinstance(value, str):
        return Code(_string(value))
    if isinstance(value, dict):
        return Code("{" + ", ".join(f"{py(str(k))}: {py(v)}" for k, v in value.items()) + "}")
    if isinstance(value, tuple):
        return Code("(" + ", ".join(py(v) for v in value) + ("," if len(value) == 1 else "") + ")")
    if isinstance(value, list):
        return Code("[" + ", ".join(py(v) for v in value) + "]")
    raise TypeError(f"no literal for {type(value).__name__}")


def py_bytes(text: str) -> Code:
    """A bytes literal of text's UTF-8: `b"..."` for ASCII text, else `"...".encode()`."""
    literal = _string(text)
    return Code(f"b{literal}" if text.isascii() else f"{literal}.encode()")


def _string(text: str) -> str:
    """repr(text), in the quotes black would choose (double, unless that needs more escapes),
    so that black finds nothing to change. Any case this misses, black still fixes."""
    literal = repr(text)
    if literal[0] == '"':
        return literal
    body = literal[1:-1]
    if '"' not in text:
        return f'"{body}"'
    swapped = body.replace("\\'", "'").replace('"', '\\"')
    return literal if swapped.count("\\") > body.count("\\") else f'"{swapped}"'


_DOC_ESCAPES = {"\\": "\\\\", '"': '\\"'}


def doc(text: str, indent: int = 4, code: str | None = None) -> Code:
    """A triple-quoted docstring. Backslashes and quotes are escaped, control and
    line-separator characters become escapes, so no text can close the literal. Laid out as
    black lays out docstrings (no trailing spaces, closing quotes on their own line when the
    last line is full). `code` (a usage snippet: Code, laid out for the column indent + 4)
    follows the text as a block indented by 4, its lines kept exactly (escaped the same
    way), so that `inspect.cleandoc(__doc__)` gives the snippet's source back."""
    lines = [" ".join(line.split()) for line in str(text).strip().split("\n")]
    escaped = [_doc_escape(line) for line in "\n".join(lines).strip().split("\n")] or [""]
    if escaped == [""]:
        escaped = ["(undocumented)"]
    if code:
        escaped.append("")
        escaped += [("    " + _code_escape(line)).rstrip() for line in str(code).split("\n")]
    pad = " " * indent
    body = "\n".join(escaped[:1] + [pad + line if line else "" for line in escaped[1:]])
    last = len(escaped[-1]) + (indent if len(escaped) > 1 else indent + 3)
    closing = f"\n{pad}" if len(escaped) > 1 and last + 3 > 88 else ""
    return Code(f'"""{body}{closing}"""')


_CLOSING_QUOTE = re.compile(r'"(?="|$)')


def _code_escape(line: str) -> str:
    """A code line inside a docstring, readable as code: backslashes and non-printable
    characters escaped as in `_doc_escape`, but only the quotes that could end the literal
    (one followed by another, or at the end of the line) are escaped."""
    return _CLOSING_QUOTE.sub(r'\\"', _doc_escape(line).replace('\\"', '"'))


def _doc_escape(line: str) -> str:
    if line.isprintable():  # nearly every line: no per-character work
        return line.replace("\\", "\\\\").replace('"', '\\"')
    out = []
    for char in line:
        if char in _DOC_ESCAPES:
            out.append(_DOC_ESCAPES[char])
        elif not char.isprintable():
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def json_document(value: dict[str, Any]) -> Code:
    """A JSON object (ASCII) with each key on a line of its own, and each item of a list
    value on a line of its own (diffs show one changed example as one changed line): how
    data that is read back by `json.loads` at run time (the offline mock's examples) is
    escaped. It is never executed: only a data file's template prints it."""

    def dump(item: Any) -> str:
        return json.dumps(item, ensure_ascii=True, separators=(", ", ": "))

    lines = []
    for key, item in value.items():
        if isinstance(item, list) and item:
            inner = ",\n".join("  " + dump(i) for i in item)
            lines.append(f" {dump(key)}: [\n{inner}\n ]")
        else:
            lines.append(f" {dump(key)}: {dump(item)}")
    return Code("{\n" + ",\n".join(lines) + "\n}")


def comment(text: str) -> Code:
    """Text for a `# ...` comment, also safe inside a docstring (templates put source lines in
    test docstrings): one line of printable ASCII; backslashes and double quotes are escaped,
    other characters become valid escapes (`\xe9`)."""
    cleaned = " ".join(str(text).split())
    if not cleaned.isprintable():
        cleaned = "".join(ch if ch.isprintable() else " " for ch in cleaned)
    cleaned = cleaned.replace("\\", "\\\\").replace('"', '\\"')
    return Code(cleaned.encode("ascii", "backslashreplace").decode("ascii"))
