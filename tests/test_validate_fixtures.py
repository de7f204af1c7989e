"""Validate fixtures: tests/fixtures/validate/*.md, many cases per file, each a few small pages in
(an operation page with examples, and the resource pages it needs) and, out, one line per
documented example: `<example name>: pass` or `<example name>: <REASON>: <detail>`.

Format (lines that start with `%%%` are the format's own):

    %%% case: a title, unique in its file
    %%% page: v1.0/api/widget-get.md      one or more pages, each until the next `%%%` line
    ...the page...
    %%% verdicts
    get_widget: pass
    get_widget_2: METHOD: its method POST is not the operation's GET
    %%% end

`python -m pytest tests/test_validate_fixtures.py --update-golden` rewrites every case's verdicts
from docgen's output (review the diff).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from docgen.diagnostics import Sink
from docgen.extract import extract_page
from docgen.link import link
from docgen.read import Source
from docgen.validate import CHECKS, SkipReason, validate

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "validate"
MARK = "%%%"


@dataclass(frozen=True, slots=True)
class Case:
    title: str
    pages: tuple[tuple[str, str], ...]  # (path in the input folder, text)
    verdicts: tuple[str, ...] | None
    line: int


def parse(text: str) -> list[Case | str]:
    """The file as cases and the commentary lines between them (kept when rewriting)."""
    parts: list[Case | str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith(f"{MARK} case:"):
            if line.startswith(MARK):
                raise ValueError(f"line {index + 1}: {line!r} outside a case")
            parts.append(line)
            index += 1
            continue
        title, start = line.split(":", 1)[1].strip(), index + 1
        pages: list[tuple[str, list[str]]] = []
        verdicts: list[str] | None = None
        index += 1
        while lines[index] != f"{MARK} end":
            current = lines[index]
            if current.startswith(f"{MARK} page:"):
                pages.append((current.split(":", 1)[1].strip(), []))
            elif current == f"{MARK} verdicts":
                verdicts = []
            elif current.startswith(MARK):
                raise ValueError(f"line {index + 1}: unknown {current!r}")
            elif verdicts is not None:
                verdicts.append(current)
            elif pages:
                pages[-1][1].append(current)
            else:
                raise ValueError(f"line {index + 1}: text before the first `{MARK} page:`")
            index += 1
        index += 1
        parts.append(
            Case(
                title=title,
                pages=tuple((rel, "\n".join(body) + "\n") for rel, body in pages),
                verdicts=None if verdicts is None else tuple(verdicts),
                line=start,
            )
        )
    return parts


def verdicts(case: Case) -> tuple[str, ...]:
    sink = Sink()
    pages = [extract_page(Source(rel=rel, display=f"docs/{rel}", text=text), sink) for rel, text in case.pages]
    validated = validate(link(pages, sink))
    lines = []
    for checked in validated.operations:
        for example, verdict in zip(checked.operation.examples, checked.verdicts):
            outcome = "pass" if verdict is None else f"{verdict.reason.name}: {verdict.detail}"
            lines.append(f"{example.name}: {outcome}")
    return tuple(lines)


def render(parts: list[Case | str]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        out.append(f"{MARK} case: {part.title}")
        for rel, text in part.pages:
            out.append(f"{MARK} page: {rel}")
            out.extend(text.removesuffix("\n").split("\n"))
        out.append(f"{MARK} verdicts")
        out.extend(part.verdicts or ())
        out.append(f"{MARK} end")
    return "\n".join(out) + "\n"


FILES = sorted(FIXTURES.glob("*.md"))
CASES = [(path, part) for path in FILES for part in parse(path.read_text(encoding="utf-8")) if isinstance(part, Case)]


@pytest.mark.parametrize(("path", "case"), CASES, ids=[f"{p.stem}: {c.title}" for p, c in CASES])
def test_validate_fixture(path: Path, case: Case, update_golden: bool) -> None:
    actual = verdicts(case)
    if update_golden:
        parts = [
            Case(p.title, p.pages, verdicts(p), p.line) if isinstance(p, Case) and p.title == case.title else p
            for p in parse(path.read_text(encoding="utf-8"))
        ]
        path.write_text(render(parts), encoding="utf-8")
        return
    assert case.verdicts is not None, f"{path.name}:{case.line}: no verdicts (run with --update-golden)"
    assert actual == case.verdicts


def test_fixture_files_round_trip_and_cover_every_check() -> None:
    """Each file reads and writes back unchanged; every check of validate.CHECKS (and every skip
    reason it can give) is the verdict of at least one case, and some case passes."""
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        assert render(parse(text)) == text
    seen = {line.split(": ")[1] for _, case in CASES for line in case.verdicts or ()}
    from_checks = {r.name for r in SkipReason} - {"QUERY", "HEADER"}  # those two come from plan
    assert "pass" in seen
    assert from_checks - seen == set(), f"no case for {sorted(from_checks - seen)}"
    assert len(CHECKS) >= 10 and len(CASES) >= 20
