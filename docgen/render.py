"""Stage 5: Jinja templates -> Python source text (unformatted).

Docs are data: a template can only print `Code` values. Names computed by `naming` are Code;
text from a page becomes Code only through the `py` (a Python literal) or `doc` (a docstring)
filters. Printing a plain str is a docgen bug and raises, so a template can never paste page
text into generated source by mistake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe


class Code(str):
    """Text that is already valid Python source: a name, a literal, a docstring."""

    __slots__ = ()

    def __html__(self) -> str:  # Jinja's autoescape passes Code through untouched
        return str(self)


class TemplateProblem(Exception):
    """A template could not be loaded or rendered: reported as DG601 with its file and line."""

    def __init__(self, template: str, line: int, message: str, *, loading: bool = False) -> None:
        super().__init__(message)
        self.template = template
        self.line = line
        self.loading = loading  # the template itself is broken, whatever is rendered with it


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


LINE_LENGTH = 88  # black's default, which the output is formatted with


def fit(opening: str, items: list[str], closing: str, indent: int, used: int = 0, after: str = "") -> Code:
    """opening + items + closing on one line when that fits with `used` columns taken before
    it at this indent and `after` following it; else one item per line with a trailing comma,
    which black keeps as it is (its "magic trailing comma"). Either way black has nothing
    left to change."""
    one_line = opening + ", ".join(items) + closing
    if not items or indent + used + len(one_line) + len(after) <= LINE_LENGTH and "\n" not in one_line:
        return Code(one_line)
    inner = " " * (indent + 4)
    return Code(opening + "\n" + "".join(f"{inner}{item},\n" for item in items) + " " * indent + closing)


def assign(value: str, target: str, indent: int = 0) -> Code:
    """`target = value` (a filter: `{{ value | assign(target, indent) }}`), or the value in parentheses on a line of its own when the line would
    be too long (as black does)."""
    line = f"{target} = {value}"
    if indent + len(line) <= LINE_LENGTH or "\n" in value:
        return Code(line)
    return Code(f"{target} = (\n{' ' * (indent + 4)}{value}\n{' ' * indent})")


def from_import(names: list[str] | str, module: str, indent: int = 0, after: str = "") -> Code:
    """`from module import a, b` as black writes it: on one line when it fits, else in
    parentheses with one name per line."""
    names = [names] if isinstance(names, str) else list(names)
    head = f"from {module} import "
    if indent + len(head) + len(", ".join(names)) + len(after) <= LINE_LENGTH:
        return Code(head + ", ".join(names) + after)
    inner = " " * (indent + 4)
    return Code(head + "(\n" + "".join(f"{inner}{name},\n" for name in names) + " " * indent + ")" + after)


def pretty(value: Any, indent: int = 0) -> Code:
    """py(value) laid out as black lays out a literal with magic trailing commas: one item per
    line. Not needed for correctness (black formats the file anyway) but black is much faster
    on text that is already in its shape, and large example bodies are most of the output."""
    inner = " " * (indent + 4)
    if isinstance(value, dict) and value:
        items = "".join(f"{inner}{py(str(k))}: {pretty(v, indent + 4)},\n" for k, v in value.items())
        return Code("{\n" + items + " " * indent + "}")
    if isinstance(value, list) and value:
        items = "".join(f"{inner}{pretty(v, indent + 4)},\n" for v in value)
        return Code("[\n" + items + " " * indent + "]")
    return py(value)


_DOC_ESCAPES = {"\\": "\\\\", '"': '\\"'}


def doc(text: str, indent: int = 4) -> Code:
    """A triple-quoted docstring. Backslashes and quotes are escaped, control and
    line-separator characters become escapes, so no text can close the literal. Laid out as
    black lays out docstrings (no trailing spaces, closing quotes on their own line when the
    last line is full)."""
    lines = [" ".join(line.split()) for line in str(text).strip().split("\n")]
    escaped = [_doc_escape(line) for line in "\n".join(lines).strip().split("\n")] or [""]
    if escaped == [""]:
        escaped = ["(undocumented)"]
    pad = " " * indent
    body = "\n".join(escaped[:1] + [pad + line if line else "" for line in escaped[1:]])
    last = len(escaped[-1]) + (indent if len(escaped) > 1 else indent + 3)
    closing = f"\n{pad}" if len(escaped) > 1 and last + 3 > 88 else ""
    return Code(f'"""{body}{closing}"""')


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


def comment(text: str) -> Code:
    """Text for a `# ...` comment, also safe inside a docstring (templates put source lines in
    test docstrings): one line of printable ASCII; backslashes and double quotes are escaped,
    other characters become valid escapes (`\xe9`)."""
    cleaned = " ".join(str(text).split())
    if not cleaned.isprintable():
        cleaned = "".join(ch if ch.isprintable() else " " for ch in cleaned)
    cleaned = cleaned.replace("\\", "\\\\").replace('"', '\\"')
    return Code(cleaned.encode("ascii", "backslashreplace").decode("ascii"))


def _finalize(value: Any) -> Any:
    # Markup is what a macro or an include returns: template text, already checked piecewise.
    if isinstance(value, (Code, int, markupsafe.Markup)) and not isinstance(value, bool):
        return value
    raise TypeError(f"template printed a raw {type(value).__name__} {str(value)[:40]!r}: use |py, |doc or a name")


@dataclass
class Renderer:
    """The template environment: a user folder (if any) overlays the default set file by file."""

    default_dir: Path
    user_dir: Path | None = None

    def __post_init__(self) -> None:
        search = [str(self.user_dir)] if self.user_dir else []
        search.append(str(self.default_dir))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(search),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            # Autoescape is on only so that Jinja calls `_finalize` on every printed value and
            # marks macro output as Markup; nothing is HTML-escaped because only Code is printed.
            autoescape=True,
            extensions=["jinja2.ext.do"],
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(py=py, doc=doc, comment=comment, from_import=from_import, assign=assign)

    def template_path(self, name: str) -> str:
        source = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        return source[1] or name

    def render(self, name: str, **context: Any) -> str:
        try:
            template = self.env.get_template(name)
            return template.render(**context)
        except jinja2.TemplateSyntaxError as exc:
            message = exc.message or str(exc)
            raise TemplateProblem(exc.filename or name, exc.lineno or 1, message, loading=True) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(name, 1, f"template not found: {exc.name}", loading=True) from None
        except (jinja2.UndefinedError, TypeError) as exc:
            raise TemplateProblem(self.template_path(name), _template_line(exc), str(exc)) from None


def _template_line(exc: BaseException) -> int:
    """The template line of the innermost frame that ran template code."""
    line = 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
