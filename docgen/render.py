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
        return Code(repr(value))
    if isinstance(value, dict):
        return Code("{" + ", ".join(f"{py(str(k))}: {py(v)}" for k, v in value.items()) + "}")
    if isinstance(value, tuple):
        return Code("(" + ", ".join(py(v) for v in value) + ("," if len(value) == 1 else "") + ")")
    if isinstance(value, list):
        return Code("[" + ", ".join(py(v) for v in value) + "]")
    raise TypeError(f"no literal for {type(value).__name__}")


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
    line-separator characters become escapes, so no text can close the literal."""
    lines = [" ".join(line.split()) for line in str(text).strip().split("\n")]
    body = "\n".join(lines).strip() or "(undocumented)"
    out = []
    for char in body:
        if char in _DOC_ESCAPES:
            out.append(_DOC_ESCAPES[char])
        elif char == "\n":
            out.append("\n" + " " * indent)
        elif not char.isprintable():
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return Code('"""' + "".join(out) + '"""')


def comment(text: str) -> Code:
    """Text for a `# ...` comment: one line, printable characters only."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in " ".join(str(text).split()))
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
        self.env.filters.update(py=py, doc=doc, comment=comment)

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
