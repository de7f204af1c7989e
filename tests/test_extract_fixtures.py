"""Extraction fixtures: tests/fixtures/extract/*.md, many cases per file, each a small page in and
the IR JSON (the same as `docgen parse --json`, trimmed to the parts the case shows) and the
diagnostics out. The format is in tests/fixtures/extract/README.md.

`python -m pytest tests/test_extract_fixtures.py --update-golden` rewrites every case's expected
parts from docgen's output (review the diff); a case written without them gets them that way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from docgen.diagnostics import Sink
from docgen.extract import extract_page
from docgen.ir_json import to_json
from docgen.read import Source

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
MARK = "%%%"
DEFAULT_PAGE = "api/page.md"


class FixtureError(ValueError):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One case of a fixture file; expected parts are None when the file does not give them."""

    title: str
    page: str | None  # the `%%% page:` line, None when absent (DEFAULT_PAGE)
    show: tuple[str, ...]
    markdown: tuple[str, ...]  # the page's lines
    ir: tuple[str, ...] | None
    diagnostics: tuple[str, ...] | None
    line: int  # the `%%% case:` line in the fixture file


Part = Case | str  # a case, or a line of commentary between cases


def parse_fixture(text: str, name: str = "fixture") -> list[Part]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    parts: list[Part] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith(MARK):
            parts.append(line)
            index += 1
            continue
        case, index = _parse_case(lines, index, name)
        parts.append(case)
    return parts


def _directive(line: str) -> tuple[str, str]:
    word, _, value = line[len(MARK) :].strip().partition(":")
    return word.strip(), value.strip()


def _parse_case(lines: list[str], start: int, name: str) -> tuple[Case, int]:
    word, title = _directive(lines[start])
    if word != "case" or not title:
        raise FixtureError(f"{name}:{start + 1}: expected `{MARK} case: <title>`, found {lines[start]!r}")
    fields: dict[str, Any] = {"title": title, "page": None, "show": (".",), "line": start + 1}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    index = start + 1
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.startswith(MARK):
            if current is None:
                current = sections.setdefault("markdown", [])
            current.append(line)
            continue
        word, value = _directive(line)
        if word == "end":
            break
        if word in ("page", "show") and not sections:
            fields[word] = value if word == "page" else tuple(value.split())
        elif word not in sections and (word == "ir" or word == "diagnostics" and "ir" in sections):
            sections.setdefault("markdown", [])  # an empty page has no lines
            current = sections.setdefault(word, [])
        else:
            raise FixtureError(f"{name}:{index}: unexpected {line!r} in case {title!r}")
    else:
        raise FixtureError(f"{name}: case {title!r} has no `{MARK} end` line")
    case = Case(
        markdown=tuple(sections.get("markdown", ())),
        ir=tuple(sections["ir"]) if "ir" in sections else None,
        diagnostics=tuple(sections["diagnostics"]) if "diagnostics" in sections else None,
        **fields,
    )
    return case, index


def render_fixture(parts: list[Part]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        out.append(f"{MARK} case: {part.title}")
        if part.page is not None:
            out.append(f"{MARK} page: {part.page}")
        if part.show != (".",):
            out.append(f"{MARK} show: {' '.join(part.show)}")
        out.extend(part.markdown)
        if part.ir is not None:
            out.append(f"{MARK} ir")
            out.extend(part.ir)
        if part.diagnostics is not None:
            out.append(f"{MARK} diagnostics")
            out.extend(part.diagnostics)
        out.append(f"{MARK} end")
    return "\n".join(out) + "\n"


def _select(page: dict[str, Any], selector: str) -> Any:
    """A dotted path into the page's JSON (`operation.examples.0.request`); `.` is the page.
    A null on the way selects null (an operation page with no operation, say)."""
    value: Any = page
    for key in () if selector == "." else selector.split("."):
        if value is None:
            return None
        if isinstance(value, list):
            value = value[int(key)]
        elif key in value:
            value = value[key]
        else:
            raise FixtureError(f"{selector!r}: no {key!r} in the IR (it has {sorted(value)})")
    return value


def actual(case: Case) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The case's IR lines and diagnostics lines as docgen gives them now."""
    rel = case.page or DEFAULT_PAGE
    sink = Sink()
    text = "\n".join(case.markdown) + "\n"
    page = extract_page(Source(rel=rel, display=f"docs/{rel}", text=text), sink)
    (page_json,) = to_json([page])["pages"]
    shown = {selector: _select(page_json, selector) for selector in case.show}
    ir = json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False)
    return tuple(ir.split("\n")), tuple(d.format() for d in sink.sorted())


def fixture_files() -> list[Path]:
    return sorted(path for path in FIXTURES.glob("*.md") if path.name != "README.md")


def all_cases() -> list[tuple[Path, Case]]:
    return [
        (path, part)
        for path in fixture_files()
        for part in parse_fixture(path.read_text(encoding="utf-8"), path.name)
        if isinstance(part, Case)
    ]


CASES = all_cases()
_UPDATED: set[Path] = set()


def _update(path: Path) -> None:
    """Rewrite the expected parts of every case of one file, once per run."""
    if path in _UPDATED:
        return
    _UPDATED.add(path)
    parts = parse_fixture(path.read_text(encoding="utf-8"), path.name)
    updated = []
    for part in parts:
        if isinstance(part, Case):
            ir, diagnostics = actual(part)
            part = replace(part, ir=ir, diagnostics=diagnostics)
        updated.append(part)
    text = render_fixture(updated)
    if text != path.read_text(encoding="utf-8"):
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("path", "case"), CASES, ids=[f"{path.stem}: {case.title}" for path, case in CASES])
def test_fixture(path: Path, case: Case, update_golden: bool) -> None:
    if update_golden:
        _update(path)
        return
    where = f"{path.relative_to(FIXTURES.parent.parent.parent)}:{case.line}"
    if case.ir is None or case.diagnostics is None:
        pytest.fail(f"{where}: case {case.title!r} has no expected IR or diagnostics; run pytest --update-golden")
    ir, diagnostics = actual(case)
    assert "\n".join(diagnostics) == "\n".join(case.diagnostics), f"{where}: diagnostics of {case.title!r}"
    assert "\n".join(ir) == "\n".join(case.ir), f"{where}: IR of {case.title!r}"


def test_fixture_files_round_trip_and_titles_are_unique() -> None:
    """What update mode writes back is the file itself, and every case has its own id."""
    assert len(fixture_files()) >= 5
    for path in fixture_files():
        text = path.read_text(encoding="utf-8")
        assert render_fixture(parse_fixture(text, path.name)) == text, path.name
    ids = [f"{path.stem}: {case.title}" for path, case in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 60


def test_fixture_format_errors_are_caught() -> None:
    good = "notes\n%%% case: one\n# x\n%%% ir\n{}\n%%% diagnostics\n%%% end\n"
    note, case = parse_fixture(good)
    assert note == "notes" and case.markdown == ("# x",) and case.ir == ("{}",) and case.diagnostics == ()
    for bad in (
        "%%% case: one\n# x\n",  # no end
        "%%% case:\n# x\n%%% end\n",  # no title
        "%%% case: one\n# x\n%%% ir\n{}\n%%% ir\n%%% end\n",  # a section twice
        "%%% case: one\n# x\n%%% ir\n{}\n%%% diagnostics\n%%% diagnostics\n%%% end\n",
        "%%% case: one\n# x\n%%% diagnostics\n%%% end\n",  # diagnostics without the IR
        "%%% case: one\n# x\n%%% diagnostcs\n%%% end\n",  # a misspelt directive
        "%%% case: one\n# x\n%%% page: api/y.md\n%%% end\n",  # a header after the page
        "%%% end\n",
    ):
        with pytest.raises(FixtureError):
            parse_fixture(bad)
