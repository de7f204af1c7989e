"""Stage 6: plan objects -> Python source text (unformatted), through Jinja templates.

Docs are data: a template can only print `Code` values (see `escape`); printing a plain str is a
docgen bug and raises, so a template can never paste page text into generated source by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from docgen import layout
from docgen.escape import Code, comment, doc, py
from docgen.plan.names import Origin, TypeExpr


class TemplateProblem(Exception):
    """A template could not be loaded or rendered: reported as DG601 with its file and line."""

    def __init__(self, template: str, line: int, message: str, *, loading: bool = False) -> None:
        super().__init__(message)
        self.template = template
        self.line = line
        self.loading = loading  # the template itself is broken, whatever is rendered with it


# The aliases the default templates import the runtime and typing modules under.
_PREFIXES = {Origin.BUILTIN: "", Origin.RUNTIME: "_rt.", Origin.TYPING: "_t."}


def annotation(expr: TypeExpr) -> Code:
    """An annotation's source (a filter): `list[_rt.Lenient[Foo]]`."""
    if expr.origin is Origin.UNION:
        return Code(" | ".join(annotation(arg) for arg in expr.args))
    args = f"[{', '.join(annotation(arg) for arg in expr.args)}]" if expr.args else ""
    return Code(f"{_PREFIXES[expr.origin]}{expr.name}{args}")


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
        self.env.filters.update(
            py=py,
            doc=doc,
            comment=comment,
            pretty=layout.pretty,
            annotation=annotation,
            from_import=layout.from_import,
            by_module=layout.by_module,
            by_member=layout.by_member,
            sorts_before=layout.sorts_before,
            all_literal=layout.all_literal,
            assign=layout.assign,
            call=layout.call,
            class_line=layout.class_line,
            declaration=layout.declaration,
            parameter=layout.parameter,
            keyword_parameter=layout.keyword_parameter,
            assertion=layout.assertion,
            construct=layout.construct,
            path_literal=layout.path_literal,
            tuple_assignment=layout.tuple_assignment,
            client_call=layout.client_call,
            returned=layout.returned,
            fit=layout.fit,
        )

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
