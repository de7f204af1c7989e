"""What `docgen check` prints: the drift between the output folder and what `build` would
write, as text for people and CI logs (diffs capped) or as one JSON object for tools.

Both are computed from the same `Report`, so they never disagree. The JSON is a documented
contract (README, "docgen check --format json"): fields are only ever added.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docgen.diagnostics import Diagnostic, Severity
from docgen.output import Drift, Existing, header_sources, unified

JSON_FORMAT = "docgen-check"
JSON_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class FileState:
    path: str  # relative to the output folder
    state: str  # changed | missing | stale | blocked
    sources: tuple[str, ...]  # the pages that make it now (stale: the pages its header names)
    old: str  # text on disk ("" when missing or not text)
    new: str  # text `build` would write ("" when stale)


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    output: str  # the output folder as shown to the user
    files: tuple[FileState, ...]
    diagnostics: tuple[Diagnostic, ...]
    failed: bool  # diagnostics alone fail the run (errors, or warnings under --strict)
    errors: int  # errors make the generated set incomplete, so no drift is reported

    @property
    def status(self) -> int:
        return 1 if self.files or self.failed else 0


def file_states(
    drift: Drift, files: dict[str, str], sources: dict[str, tuple[str, ...]], tree: dict[str, Existing]
) -> tuple[FileState, ...]:
    states = []
    for state, rels in (
        ("changed", drift.changed),
        ("missing", drift.missing),
        ("stale", drift.stale),
        ("blocked", drift.blocked),
    ):
        for rel in rels:
            old = (tree[rel].text or "") if rel in tree else ""
            if state == "stale":
                named = header_sources(old.split("\n", 1)[0]) or ""
                pages = tuple(p for p in named.split(", ") if p)
            else:
                pages = sources.get(rel, ())
            states.append(FileState(path=rel, state=state, sources=pages, old=old, new=files.get(rel, "")))
    return tuple(sorted(states, key=lambda f: f.path))


_HEADLINES = {
    "changed": "is out of date (from {pages})",
    "missing": "is missing (from {pages})",
    "stale": "is stale: no page produces it now (it came from {pages})",
    "blocked": "has no docgen header and is in the way (docgen makes it from {pages})",
}


def text_lines(report: Report, max_diff_lines: int, *, quiet: bool = False) -> Iterator[str]:
    """stdout of `docgen check`: each file with its pages and diff, then one summary line.
    At most `max_diff_lines` diff lines in all (0: no limit); what is left out is counted."""
    out = report.output
    budget = max_diff_lines or None
    left_lines = left_files = 0
    for item in () if quiet else report.files:
        yield f"{out}/{item.path} " + _HEADLINES[item.state].format(pages=", ".join(item.sources) or "?")
        if item.state == "blocked":
            continue
        diff = [line.rstrip("\n") for line in unified(item.path, item.old, item.new, out)]
        shown = diff if budget is None else diff[:budget]
        yield from shown
        if len(shown) < len(diff):
            budget, more = 0, len(diff) - len(shown)
            left_lines += more
            left_files += 1
            yield f"... {more} more diff lines of this file not shown" if shown else f"(diff of {more} lines not shown)"
        elif budget is not None:
            budget -= len(shown)
    if left_lines:
        files = f"{left_files} file{'s' if left_files != 1 else ''}"
        yield f"{left_lines} diff lines in {files} not shown (--max-diff-lines {max_diff_lines}; 0 shows them all)"
    yield summary(report)


def summary(report: Report) -> str:
    if report.errors:
        errors = f"{report.errors} error{'s' if report.errors != 1 else ''}"
        return f"{errors}: `docgen build` would fail; fix them, then run `docgen check` again."
    parts = []
    if report.files:
        count = len(report.files)
        parts.append(f"{count} file{'s' if count != 1 else ''} out of date. Run `docgen build` to update.")
    if report.failed:
        warnings = sum(1 for d in report.diagnostics if d.severity is Severity.WARNING)
        parts.append(f"{warnings} warning{' fails' if warnings == 1 else 's fail'} the check under --strict.")
    return " ".join(parts) or f"{report.output} is up to date"


def json_object(report: Report) -> dict[str, Any]:
    counts = {state: 0 for state in ("changed", "missing", "stale", "blocked")}
    for item in report.files:
        counts[item.state] += 1
    for severity in Severity:
        counts[f"{severity}s"] = sum(1 for d in report.diagnostics if d.severity is severity)
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "status": report.status,
        "output": report.output,
        "files": [
            {"path": f"{report.output}/{f.path}", "state": f.state, "sources": list(f.sources)} for f in report.files
        ],
        "diagnostics": [d.as_json() for d in report.diagnostics],
        "counts": counts,
    }
