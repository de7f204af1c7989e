"""Problems found in the input, reported as data rather than raised.

Every stage receives a `Sink` and appends to it; nothing is printed until the run ends, so a
run reports everything it found, sorted by file and line. Codes are stable and documented in
the README: tools and people may match on them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from enum import StrEnum

from docgen.ir import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


# code -> (severity, one-line meaning). The README's table is checked against this one by a test.
CODES: dict[str, tuple[Severity, str]] = {
    "DG001": (Severity.ERROR, "the input folder does not exist"),
    "DG002": (Severity.ERROR, "a page could not be read"),
    "DG003": (Severity.WARNING, "a page is not valid UTF-8; it was decoded with replacement characters"),
    "DG004": (Severity.WARNING, "a page is empty or holds binary data; it was skipped"),
    "DG005": (Severity.WARNING, "the input folder holds no Markdown page; only the package skeleton is generated"),
    "DG009": (Severity.ERROR, "docgen failed on a page or while planning (a bug in docgen); that page was skipped"),
    "DG101": (Severity.WARNING, "a front matter line is not `key: value`, or the front matter is not closed"),
    "DG102": (Severity.NOTE, "a page has no kind docgen generates from (conceptual page, or no operation and no type)"),
    "DG110": (Severity.WARNING, "a code fence is not closed before the end of the page"),
    "DG111": (Severity.WARNING, "an HTML comment is not closed before the end of the page"),
    "DG120": (Severity.WARNING, "a table row has a different number of cells than its header"),
    "DG121": (Severity.WARNING, "a property or member is listed twice; the first row is kept"),
    "DG122": (Severity.WARNING, "a table row has no usable name; it was skipped"),
    "DG130": (Severity.NOTE, "a code fence is not read: it is no request block, example or JSON representation"),
    "DG131": (Severity.NOTE, "a table is not read: no fact of the page comes from it"),
    "DG132": (Severity.NOTE, "an annotation comment is not read: no fence docgen reads follows it"),
    "DG201": (Severity.WARNING, "a type cell could not be read; the property is typed as any JSON value"),
    "DG203": (Severity.WARNING, "a type is used but no page defines it; a placeholder model was generated"),
    "DG210": (Severity.NOTE, "a type is defined by several pages; their properties were merged into one model"),
    "DG211": (
        Severity.WARNING,
        "pages that define one type give a property different types; the defining page's is kept",
    ),
    "DG212": (Severity.NOTE, "a property is listed by several pages that define one type; the repeated row is dropped"),
    "DG213": (Severity.WARNING, "pages that define one type give it different bases; the defining page's is kept"),
    "DG220": (
        Severity.NOTE,
        "a type is known only in part (its page is not in the input, or only a request body table or an "
        "undefined base describes it); its model accepts undeclared keys",
    ),
    "DG140": (
        Severity.NOTE,
        "pages document one REST call for types with a common base; they are one method, typed by that base",
    ),
    "DG301": (Severity.WARNING, "an operation page has no HTTP request block; no client method was generated"),
    "DG302": (Severity.WARNING, "a line of the HTTP request block is not `METHOD /path`"),
    "DG303": (
        Severity.NOTE,
        "a method returns any JSON value although its examples show a body (the message says why)",
    ),
    "DG320": (
        Severity.NOTE,
        "an operation documented as 202 Accepted shows no monitor URL header; it returns no operation handle",
    ),
    "DG321": (
        Severity.NOTE,
        "an example answers 202 Accepted with a monitor URL, the page documents another status; no operation handle",
    ),
    "DG322": (
        Severity.NOTE,
        "a delta query's response is no collection of a documented model; it returns no DeltaPager",
    ),
    "DG401": (Severity.WARNING, "an annotation comment is not strict JSON; it was read leniently or ignored"),
    "DG402": (Severity.WARNING, "an example body is not valid JSON; the example was skipped"),
    "DG403": (Severity.WARNING, "an example body needed lenient JSON repairs (comments, trailing commas, `...`, NBSP)"),
    "DG404": (Severity.NOTE, "an example request has no response; no test was generated for it"),
    "DG405": (Severity.NOTE, "an example was not turned into a test (the reason is in the message)"),
    "DG406": (Severity.NOTE, "an example's URL matches no documented path; its test calls the method with url="),
    "DG407": (Severity.WARNING, "an example shows a key its model does not declare; the example was not tested"),
    "DG408": (Severity.NOTE, "an example fence holds a further request line; the example is its first request"),
    "DG409": (
        Severity.NOTE,
        "a JSON fence under a Response label (no status line) is read as the example's response, status 200",
    ),
    "DG501": (
        Severity.WARNING,
        "pages whose REST calls give the same method name; each is named after its title (or its file)",
    ),
    "DG601": (Severity.ERROR, "a template could not be loaded or rendered"),
    "DG602": (Severity.ERROR, "generated code is not valid Python (a bug in docgen or a template)"),
    "DG701": (Severity.ERROR, "a file in the output folder has no docgen header and would be overwritten"),
    "DG702": (Severity.ERROR, "an output path would leave the output folder"),
    "DG703": (Severity.ERROR, "the output folder could not be written; it was left as it was"),
    "DG801": (Severity.WARNING, "an example holds a property that no table of its type documents (lint)"),
    "DG802": (Severity.WARNING, "an example request omits a property its table marks required (lint)"),
    "DG803": (Severity.WARNING, "an example value does not fit its documented type or enum (lint)"),
    "DG804": (Severity.WARNING, "an example response answers no request (lint)"),
    "DG805": (Severity.WARNING, "two examples on one page have the same name (lint)"),
    "DG806": (Severity.WARNING, "an example of a type with derived types has no `@odata.type` (lint)"),
    "DG807": (Severity.WARNING, "an example's `@odata.type` is neither its documented type nor derived from it (lint)"),
    "DG808": (Severity.WARNING, "a relative link to a `.md` page points at no page of the input (lint)"),
    "DG809": (Severity.WARNING, "a relative link finds its page only case-insensitively (lint)"),
    "DG810": (
        Severity.WARNING,
        "a docgen-lint suppression gives no reason or no valid code; it suppresses nothing (lint)",
    ),
    "DG811": (Severity.NOTE, "a docgen-lint suppression matches no finding (lint)"),
    "DG901": (Severity.NOTE, "an operation was left out of the OpenAPI export (export)"),
}


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    code: str
    message: str

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def as_json(self) -> dict[str, object]:
        """The diagnostic as `check --format json` and `lint --format json` print it."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }

    def format(self) -> str:
        """One line: control characters, line separators and undecodable bytes of a page's
        text or file name are shown escaped (they could end the line or drive a terminal)."""
        return f"{printable(self.path)}:{self.line}:{self.col}: {self.severity}[{self.code}]: {printable(self.message)}"


def printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in text
    )


_ORDER = operator.attrgetter("path", "line", "col", "code", "message")


@dataclass(slots=True)
class Sink:
    """Collects diagnostics; one per run, passed down explicitly."""

    items: list[Diagnostic] = field(default_factory=list)

    def report(self, code: str, span: Span, message: str, col: int = 1) -> None:
        if code not in CODES:
            raise KeyError(f"undocumented diagnostic code {code}")
        self.items.append(Diagnostic(span.path, max(span.line, 1), max(col, 1), code, message))

    def extend(self, items: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        self.items.extend(items)

    def sorted(self) -> list[Diagnostic]:
        # the dataclass order (field by field), compared as tuples: tens of thousands at full scale
        return sorted(set(self.items), key=_ORDER)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in set(self.items) if d.severity is severity)

    def failed(self, strict: bool) -> bool:
        bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(d.severity in bad for d in self.items)
