"""Lint findings as text, JSON, SARIF 2.1.0 and GitHub Actions workflow commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

from docgen import __version__
from docgen.diagnostics import CODES, Severity, printable
from docgen.lint import LintResult

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def summary(result: LintResult, status: int) -> str:
    return (
        f"{len(result.findings)} findings in {result.pages} pages: {result.count(Severity.ERROR)} errors, "
        f"{result.count(Severity.WARNING)} warnings, {result.count(Severity.NOTE)} notes; "
        f"{result.suppressed} suppressed on the pages (exit {status})"
    )


def as_text(result: LintResult, status: int) -> str:
    return "".join(d.format() + "\n" for d in result.findings) + summary(result, status) + "\n"


def as_json(result: LintResult, status: int) -> str:
    document = {
        "format": "docgen-lint",
        "version": 1,
        "status": status,
        "findings": [d.as_json() for d in result.findings],
        "counts": {
            "pages": result.pages,
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "notes": result.count(Severity.NOTE),
            "suppressed": result.suppressed,
        },
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def as_sarif(result: LintResult, status: int) -> str:
    codes = sorted(CODES)
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": meaning},
            "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        }
        for code, (severity, meaning) in sorted(CODES.items())
    ]
    results = [
        {
            "ruleId": d.code,
            "ruleIndex": codes.index(d.code),
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(d.path)},
                        "region": {"startLine": d.line, "startColumn": d.col},
                    }
                }
            ],
        }
        for d in result.findings
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "docgen", "version": __version__, "rules": rules}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def as_github(result: LintResult, status: int) -> str:
    """One workflow command per finding: GitHub shows it on the line of the pull request's diff."""
    lines = []
    for d in result.findings:
        properties = f"file={_property(d.path)},line={d.line},col={d.col},title={d.code}"
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {properties}::{_data(printable(d.message))}")
    return "".join(line + "\n" for line in lines) + summary(result, status) + "\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


FORMATS: dict[str, Callable[[LintResult, int], str]] = {
    "text": as_text,
    "json": as_json,
    "sarif": as_sarif,
    "github": as_github,
}
