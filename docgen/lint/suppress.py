"""Suppressions written on the page:

    <!-- docgen-lint: disable DG801 reason="the service returns it; tracked in #123" -->

applies to the next block: the fenced example that follows (blank lines and other comments,
such as the example's annotation, may come between), else the next line.
`disable-file` applies to the whole page. Several codes may be given, separated by commas or
spaces. A suppression must give a non-empty reason: one without is reported (DG810) and
suppresses nothing; one that matches no finding is reported too (DG811), so stale ones go."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docgen.diagnostics import CODES, Diagnostic, Sink
from docgen.ir import Span
from docgen.lint.text import fences

_COMMENT = re.compile(
    r"<!--\s*docgen-lint:\s*(?P<kind>disable-file|disable)\b(?P<codes>[^\"]*?)"
    r"(?:\breason\s*=\s*\"(?P<reason>[^\"]*)\")?\s*-->"
)
_CODE = re.compile(r"DG\d{3}")
UNSUPPRESSIBLE = frozenset({"DG810", "DG811"})


@dataclass(slots=True)
class Suppression:
    path: str
    line: int
    codes: frozenset[str]
    first: int  # the lines it covers, inclusive
    last: int
    used: set[str] = field(default_factory=set)

    def covers(self, diagnostic: Diagnostic) -> bool:
        return diagnostic.code in self.codes and self.first <= diagnostic.line <= self.last


def read_suppressions(display: str, lines: list[str], sink: Sink) -> list[Suppression]:
    fenced = {fence.start: fence.end for fence in fences(lines)}
    found = []
    for number, line in enumerate(lines, 1):
        for match in _COMMENT.finditer(line):
            codes = frozenset(_CODE.findall(match.group("codes")))
            span = Span(path=display, line=number)
            unknown = sorted(c for c in codes if c not in CODES or c in UNSUPPRESSIBLE)
            reason = (match.group("reason") or "").strip()
            if not codes or unknown or not reason:
                problem = (
                    "names no DGnnn code"
                    if not codes
                    else f"names {', '.join(unknown)}, which cannot be suppressed" if unknown else "gives no reason"
                )
                sink.report(
                    "DG810",
                    span,
                    f"this docgen-lint suppression {problem}, so it suppresses nothing: write "
                    '`<!-- docgen-lint: disable DGnnn reason="why this finding is wrong or accepted" -->`',
                    match.start() + 1,
                )
                continue
            if match.group("kind") == "disable-file":
                first, last = 1, len(lines)
            else:
                first = number + 1
                while first <= len(lines) and (not lines[first - 1].strip() or _is_comment(lines[first - 1])):
                    first += 1
                last = fenced.get(first, first)
            found.append(Suppression(path=display, line=number, codes=codes, first=first, last=last))
    return found


def _is_comment(line: str) -> bool:
    text = line.strip()
    return text.startswith("<!--") and text.endswith("-->")


def apply_suppressions(
    diagnostics: list[Diagnostic], suppressions: list[Suppression], sink: Sink
) -> tuple[list[Diagnostic], int]:
    """The diagnostics no suppression covers, and how many were suppressed; reports unused
    suppressions (DG811) into sink."""
    by_path: dict[str, list[Suppression]] = {}
    for item in suppressions:
        by_path.setdefault(item.path, []).append(item)
    kept, suppressed = [], 0
    for diagnostic in diagnostics:
        covering = [s for s in by_path.get(diagnostic.path, ()) if s.covers(diagnostic)]
        if covering and diagnostic.code not in UNSUPPRESSIBLE:
            for item in covering:
                item.used.add(diagnostic.code)
            suppressed += 1
        else:
            kept.append(diagnostic)
    for item in suppressions:
        for code in sorted(item.codes - item.used):
            sink.report(
                "DG811",
                Span(path=item.path, line=item.line),
                f"this suppression of {code} matches no finding: remove it",
            )
    return kept, suppressed
