"""Broken pages: each class gets diagnostics with file:line, the rest of the build goes on, and
`docgen build` exits 0 or 1, never with a traceback.

Every case builds a folder holding the broken page next to a good one, as a user would (a
separate `docgen build` process), and checks the diagnostics, the exit status and that the good
page was still generated.
"""

from __future__ import annotations

import json
import os
import sys
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from docgen.diagnostics import CODES, Severity, Sink
from docgen.extract import extract_page
from docgen.read import Source, decode
from docgen_helpers import ROOT, run_docgen

pytestmark = pytest.mark.usefixtures("no_docgen_cache")


DIAGNOSTIC = re.compile(
    r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|note)\[(?P<code>DG\d{3})\]: \S.*$"
)

GOOD = textwrap.dedent("""\
    # gadget resource type

    Namespace: microsoft.graph

    ## Properties

    |Property|Type|Description|
    |:---|:---|:---|
    |id|String|The id.|
    |size|Int32|The size.|
    """)


def resource(rows: str, heading: str = "widget") -> str:
    return f"# {heading} resource type\n\n## Properties\n\n|Property|Type|Description|\n|:---|:---|:---|\n{rows}"


OPERATION_WITHOUT_REQUEST = """\
---
title: "Create widget"
doc_type: apiPageType
---

# Create widget

## Request body

|Property|Type|Description|
|:---|:---|:---|
|name|String|The name.|

## Response

If successful, this method returns a `201 Created` response code.
"""


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expected: tuple[tuple[str, int], ...]  # (code, line) that must be reported for the page
    model: str | None = None  # a model module the broken page still produces


def _junk(size: int, nul: bool) -> bytes:
    data = bytes((i * 131 + 17) % 256 for i in range(size))
    return data if nul else data.replace(b"\x00", b"\x01")


CASES = [
    Case("empty", b"", (("DG004", 1),)),
    Case("blank", b"  \n\n\t\n", (("DG004", 1),)),
    Case("binary-with-nul", _junk(4096, nul=True), (("DG004", 1),)),
    Case("binary-without-nul", _junk(4096, nul=False), (("DG004", 1),)),
    Case(
        "latin-1",
        resource("|id|String|The caf\xe9 id.|\n|name|String|Na\xefve.|\n").encode("latin-1"),
        (("DG003", 7),),
        "widget",
    ),
    Case("utf-16", resource("|id|String|The id.|\n").encode("utf-16"), (("DG003", 1),), "widget"),
    Case(
        "bom-and-crlf",
        b"\xef\xbb\xbf" + resource("|id|String|The id.|\n|name|String|\n").replace("\n", "\r\n").encode(),
        (("DG120", 8),),
        "widget",
    ),
    Case(
        "lone-cr",
        resource("|id|String|The id.|\n|name|String|\n").replace("\n", "\r").encode(),
        (("DG120", 8),),
        "widget",
    ),
    Case(
        "unclosed-fence",
        (resource("|id|String|The id.|\n") + '\n## JSON representation\n\n```json\n{\n  "id": "x"\n').encode(),
        (("DG110", 11),),
        "widget",
    ),
    Case(
        "unclosed-comment",
        (resource("|id|String|The id.|\n") + '\n<!-- {\n  "blockType": "resource"\n\n## More\n').encode(),
        (("DG111", 9),),
        "widget",
    ),
    Case(
        "ragged-table",
        resource("|id|String|\n|name|String|The name.|extra|cells|\n|size|Int32|Size.|\n").encode(),
        (("DG120", 7), ("DG120", 8)),
        "widget",
    ),
    Case(
        "pipe-less-table",
        b"# widget resource type\n\n## Properties\n\nProperty | Type | Description\n--- | --- | ---\nid | String | The id.\nname | String | The name\n",
        (),
        "widget",
    ),
    Case(
        "duplicate-properties",
        resource("|id|String|The id.|\n|name|String|First.|\n|name|Int32|Second.|\n").encode(),
        (("DG121", 9),),
        "widget",
    ),
    Case("no-http-request", OPERATION_WITHOUT_REQUEST.encode(), (("DG301", 6),)),
    Case(
        "bad-type-and-no-name",
        resource("|id|Strng or Thing|The id.|\n||String|No name.|\n|name|String|Ok.|\n").encode(),
        (("DG201", 7), ("DG122", 8)),
        "widget",
    ),
    Case(
        "unclosed-front-matter",
        b"---\ntitle: x\ndoc_type: resourcePageType\n" + resource("|id|String|x|\n").encode(),
        (("DG101", 1),),
    ),
    Case(
        "bad-example-json",
        textwrap.dedent("""\
            # Create widget

            ## HTTP request

            ```http
            POST /widgets
            ```

            ## Example

            <!-- { "blockType": "request", "name": "x", } -->
            ```http
            POST https://graph.microsoft.com/v1.0/widgets
            Content-Type: application/json

            {"a": NaN, "b": [[[[[[[[
            ```

            ```http
            HTTP/1.1 201 Created
            ```
            """).encode(),
        (("DG401", 11), ("DG402", 16)),
    ),
    Case(
        "json-nested-too-deep",
        (
            "# Get widget\n\n## HTTP request\n\n```http\nGET /widgets\n```\n\n## Example\n\n```http\nGET https://graph.microsoft.com/v1.0/widgets\n```\n\n"
            "```http\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n" + "[" * 500 + "]" * 500 + "\n```\n"
        ).encode(),
        (("DG402", 19),),
    ),
    Case(
        "control-characters",
        resource("|id|String|A \x07bell, \x1bescape, \x0bvtab and \x7fdel.|\n|na\x08me|String|x|\n").encode(),
        (),
        "widget",
    ),
]


def build(tmp_path: Path, pages: dict[str, bytes]) -> tuple[int, str, str, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, data in pages.items():
        (docs / name).write_bytes(data)
    out = tmp_path / "out"
    result = run_docgen("build", "--input", docs, "--output", out, cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr, out


def diagnostics(stderr: str) -> list[dict[str, str]]:
    found = []
    for text in stderr.splitlines():
        if text == "docgen: build failed; the output folder was not changed":
            continue
        match = DIAGNOSTIC.match(text)
        assert match, f"not a diagnostic line: {text!r}"
        found.append(match.groupdict())
    return found


def assert_clean_exit(code: int, stdout: str, stderr: str) -> None:
    assert code in (0, 1), stderr
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_page_is_reported_and_the_build_goes_on(case: Case, tmp_path: Path) -> None:
    code, stdout, stderr, out = build(tmp_path, {"broken.md": case.data, "gadget.md": GOOD.encode()})
    assert_clean_exit(code, stdout, stderr)
    found = diagnostics(stderr)
    for diagnostic in found:
        assert diagnostic["path"] in ("docs/broken.md", "docs/gadget.md"), diagnostic
        assert CODES[diagnostic["code"]][0] == diagnostic["severity"]
    reported = {(d["code"], int(d["line"])) for d in found if d["path"] == "docs/broken.md"}
    assert set(case.expected) <= reported, (case.expected, stderr)
    assert not [d for d in found if d["code"] in ("DG009", "DG601", "DG602")], stderr
    # the good page, and what the broken page still holds, are generated
    assert code == 0, stderr
    assert (out / "graph_client" / "models" / "gadget.py").is_file()
    if case.model:
        assert (out / "graph_client" / "models" / f"{case.model}.py").is_file(), stdout


def test_twenty_thousand_row_table(tmp_path: Path) -> None:
    """Every row is parsed and reported at its own line (ragged rows, repeated names)."""
    rows = "".join(f"|p{i % 25}|String|Row {i}.|{'extra|' if i % 2 else ''}\n" for i in range(20_000))
    code, stdout, stderr, out = build(tmp_path, {"big.md": resource(rows).encode(), "gadget.md": GOOD.encode()})
    assert_clean_exit(code, stdout, stderr)
    assert code == 0
    found = diagnostics(stderr)
    lines = {int(d["line"]) for d in found if d["code"] == "DG120"}
    assert lines == {7 + i for i in range(20_000) if i % 2}
    assert {int(d["line"]) for d in found if d["code"] == "DG121"} == {7 + i for i in range(25, 20_000)}
    assert (out / "graph_client" / "models" / "widget.py").read_text(encoding="utf-8").count("| None = ") == 25
    assert (out / "graph_client" / "models" / "gadget.py").is_file()


def test_twenty_thousand_distinct_properties_are_all_read() -> None:
    """In process (generating 20,000 attributes is black's time, not the parser's)."""
    rows = "".join(f"|p{i}|String|Row {i}.|\n" for i in range(20_000)) + "|last|Strng or Thing|x|\n"
    sink = Sink()
    page = extract_page(Source(rel="big.md", display="docs/big.md", text=resource(rows)), sink)
    (model,) = page.models
    assert len(model.fields) == 20_001
    assert model.fields[-1].span.line == 20_007
    assert [(d.code, d.line) for d in sink.items] == [("DG201", 20_007)]


def test_five_megabyte_page(tmp_path: Path) -> None:
    paragraph = "Lorem ipsum *dolor* sit amet, `consectetur` [adipiscing](elit.md) elit. " * 12 + "\n\n"
    body = paragraph * (5_000_000 // len(paragraph) + 1)
    text = resource("|id|String|The id.|\n|name|String|\n") + "\n" + body + "```json\n{\n"
    assert len(text.encode()) > 5_000_000
    code, stdout, stderr, out = build(tmp_path, {"huge.md": text.encode(), "gadget.md": GOOD.encode()})
    assert_clean_exit(code, stdout, stderr)
    assert code == 0
    found = {(d["code"], int(d["line"])) for d in diagnostics(stderr)}
    assert ("DG120", 8) in found
    assert ("DG110", text.count("\n") - 1) in found  # the fence, near the end, at its own line
    assert (out / "graph_client" / "models" / "widget.py").is_file()


def test_many_broken_pages_at_once(tmp_path: Path) -> None:
    """All of them in one folder: one run reports every page, and still generates."""
    pages = {f"{case.name}.md": case.data for case in CASES}
    pages["gadget.md"] = GOOD.encode()
    code, stdout, stderr, out = build(tmp_path, pages)
    assert_clean_exit(code, stdout, stderr)
    found = diagnostics(stderr)
    for case in CASES:
        reported = {(d["code"], int(d["line"])) for d in found if d["path"] == f"docs/{case.name}.md"}
        assert set(case.expected) <= reported, case.name
    assert [d["path"] for d in found] == sorted(d["path"] for d in found)  # sorted by file
    assert (out / "graph_client" / "models" / "gadget.py").is_file()


def test_missing_input_folder_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = run_docgen("build", "--input", tmp_path / "nope", "--output", tmp_path / "out", cwd=tmp_path)
    assert_clean_exit(result.returncode, result.stdout, result.stderr)
    assert result.returncode == 1
    assert "error[DG001]" in result.stderr


def test_unreadable_entries_named_like_pages(tmp_path: Path) -> None:
    """A folder and a dangling link named *.md are not pages; a FIFO would block a read."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "folder.md").mkdir()
    os.symlink(tmp_path / "missing", docs / "dangling.md")
    if hasattr(os, "mkfifo"):
        os.mkfifo(docs / "pipe.md")
    (docs / "gadget.md").write_text(GOOD, encoding="utf-8")
    result = run_docgen("build", "--input", docs, "--output", tmp_path / "out", cwd=tmp_path)
    assert_clean_exit(result.returncode, result.stdout, result.stderr)
    assert result.returncode == 0
    assert (tmp_path / "out" / "graph_client" / "models" / "gadget.py").is_file()


# ---- units: decoding --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "codes"),
    [
        (b"\xef\xbb\xbf# a\r\nb\r\n", "# a\nb\n", []),
        (b"# a\rb\r", "# a\nb\n", []),
        (b"# caf\xe9\n", "# caf\ufffd\n", ["DG003"]),
        ("# a\n".encode("utf-16"), "# a\n", ["DG003"]),
        (b"", None, ["DG004"]),
        (b"\xef\xbb\xbf", None, ["DG004"]),
        (b"\x00\x01\x02", None, ["DG004"]),
        (bytes(range(1, 32)) * 40, None, ["DG004"]),
        (b"# a \x01 b\n", "# a \x01 b\n", []),
    ],
)
def test_decode(data: bytes, text: str | None, codes: list[str]) -> None:
    sink = Sink()
    assert decode(data, "x.md", sink) == text
    assert [d.code for d in sink.items] == codes


def test_readme_documents_every_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (DG\d{3}) \| (\w+) \| .+ \|$", readme, re.MULTILINE))
    assert table == {code: str(severity) for code, (severity, _) in CODES.items()}
    assert all(isinstance(severity, Severity) for severity, _ in CODES.values())


# ---- odd file names, terminal escapes, docgen's own bugs, `docgen parse` ----------------------


def test_odd_file_names_and_escapes_give_one_line_diagnostics(tmp_path: Path) -> None:
    page = resource("|id|Strng or Thing|x|\n").encode()
    escape = resource("|id|String|x|\n|\x1b[2J\x1b[31mred|Strng or \x1b]0;title\x07x|y|\n").encode()
    pages = {"new\nline.md": page, "tab\there.md": page, "esc.md": escape}
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, data in pages.items():
        (docs / name).write_bytes(data)
    if sys.platform != "darwin":  # a file name that is not UTF-8
        with open(os.path.join(os.fsencode(docs), b"\xff\xfe.md"), "wb") as handle:
            handle.write(page)
    result = run_docgen("build", "--input", docs, "--output", tmp_path / "out", cwd=tmp_path)
    assert_clean_exit(result.returncode, result.stdout, result.stderr)
    assert result.returncode == 0
    found = diagnostics(result.stderr)  # every line parses as one diagnostic
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert {d["path"] for d in found} >= {"docs/new\\nline.md", "docs/tab\\there.md", "docs/esc.md"}
    for path in (tmp_path / "out").rglob("*.py"):
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.isascii() and first.isprintable()
    # the manifest keeps those diagnostics one per line: `check` reads it back and agrees
    check = run_docgen("check", "--input", docs, "--output", tmp_path / "out", cwd=tmp_path)
    assert check.returncode == 0 and "Traceback" not in check.stderr, check.stdout + check.stderr
    assert diagnostics(check.stderr) == found


def test_a_docgen_bug_on_one_page_costs_only_that_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from docgen import pipeline
    from docgen.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gadget.md").write_text(GOOD, encoding="utf-8")
    (docs / "trigger.md").write_text(resource("|id|String|x|\n"), encoding="utf-8")
    real = pipeline.extract_page

    def buggy(source, sink):
        if "trigger" in source.rel:
            raise IndexError("list index out of range")
        return real(source, sink)

    monkeypatch.setattr(pipeline, "extract_page", buggy)
    sink = Sink()
    result = pipeline.generate(pipeline.Config(input=docs, output=tmp_path / "out"), sink)
    (bug,) = [d for d in sink.items if d.code == "DG009"]
    assert bug.path == "docs/trigger.md" and "IndexError" in bug.message and "test_broken_input.py" in bug.message
    assert "graph_client/models/gadget.py" in result.files
    # the command line: exit 1 (an error), diagnostics, no traceback, nothing written
    outcome = CliRunner().invoke(main, ["build", "--input", str(docs), "--output", str(tmp_path / "out")])
    assert outcome.exit_code == 1 and isinstance(outcome.exception, SystemExit)
    assert "error[DG009]" in outcome.output and "Traceback" not in outcome.output
    assert not (tmp_path / "out").exists()
    # a bug while planning: reported the same way
    monkeypatch.setattr(pipeline, "plan", lambda *a, **k: {}["boom"])
    sink = Sink()
    assert pipeline.generate(pipeline.Config(input=docs, output=tmp_path / "out"), sink).files == {}
    assert [d.code for d in sink.items if d.code == "DG009"] == ["DG009", "DG009"]


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in CASES
        if c.name in ("binary-with-nul", "latin-1", "utf-16", "unclosed-fence", "bad-example-json", "empty")
    ],
    ids=lambda c: c.name,
)
def test_parse_command_on_broken_pages(case: Case, tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_bytes(case.data)
    result = run_docgen("parse", page, cwd=tmp_path)
    assert_clean_exit(result.returncode, result.stdout, result.stderr)
    document = json.loads(result.stdout)
    assert document["format"] == "docgen-ir"


# ---- examples that contradict their own property tables ---------------------------------------

TYPED = """\
# Create gizmo

## HTTP request

```http
POST /gizmos
```

## Request body

Supply a [gizmo](gizmo.md) object.

## Response

If successful, this method returns a `201 Created` response code and a [gizmo](gizmo.md) object.

## Example
{examples}
"""
GIZMO = """\
# gizmo resource type

## Properties

|Property|Type|Description|
|:---|:---|:---|
|id|String|x|
|size|Int32|x|
|flag|Boolean|x|
|ratio|Double|x|
|day|Date|x|
|when|DateTimeOffset|x|
|at|TimeOfDay|x|
|span|Duration|x|
|tags|String collection|x|
|colour|[colour](colour.md)|x|
|part|[part](part.md)|x|
|parts|[part](part.md) collection|x|
|anything|Object|x|
"""
TYPED_SUPPORT = {
    "colour.md": "# colour enum type\n\n## Members\n\n|Member|Description|\n|-|-|\n|red|x|\n",
    "part.md": "# part resource type\n\n## Properties\n\n|Property|Type|Description|\n|-|-|-|\n|n|Int32|x|\n",
}
GOOD_GIZMO = {
    "id": "g",
    "size": 3,
    "flag": True,
    "ratio": 1.5,
    "day": "2020-02-29",
    "when": "2020-01-01T00:00:00.1234567-08:00",
    "at": "10:11:12.1234567",
    "span": "-PT17.1357909S",
    "tags": ["a", "b"],
    "colour": "not-listed-but-open",
    "part": {"n": 1},
    "parts": [{"n": 2}],
    "anything": {"x": [1, "y", None]},
}
BAD_GIZMOS = {
    "string_gets_a_number": {"id": 5},
    "int_gets_text": {"size": "3"},
    "int_gets_a_float": {"size": 3.0},
    "int_gets_a_bool": {"size": True},
    "bool_gets_text": {"flag": "true"},
    "double_gets_text": {"ratio": "1.5"},
    "date_does_not_exist": {"day": "2021-02-29"},
    "datetime_holds_code": {"when": '"""; import os; os.system(\'touch docgen-pwned\') #'},
    "datetime_offset_too_big": {"when": "2021-01-01T00:00:00+25:00"},
    "time_out_of_range": {"at": "25:00"},
    "duration_is_text": {"span": "three days"},
    "collection_is_not_a_list": {"tags": "a"},
    "collection_item_wrong": {"tags": ["a", 1]},
    "collection_holds_null": {"tags": ["a", None]},
    "enum_gets_a_number": {"colour": 1},
    "model_gets_a_string": {"part": "p1"},
    "nested_value_wrong": {"parts": [{"n": "two"}]},
    "odata_type_not_a_string": {"@odata.type": 5},
}


def typed_example(name: str, body: dict) -> str:
    text = json.dumps(body)
    return (
        f'\n<!-- {{ "blockType": "request", "name": "{name}" }} -->\n```http\nPOST https://graph.microsoft.com/v1.0/gizmos\n'
        f"Content-Type: application/json\n\n{text}\n```\n\n"
        f'<!-- {{ "blockType": "response", "name": "{name}" }} -->\n```http\nHTTP/1.1 201 Created\nContent-Type: application/json\n\n{text}\n```\n'
    )


def test_examples_that_contradict_their_types_are_reported_not_tested(tmp_path: Path) -> None:
    from docgen.config import Config
    from docgen.output import diff_tree, read_tree, write_tree
    from docgen.pipeline import generate
    from docgen_helpers import run_pytest

    examples = typed_example("conforming", GOOD_GIZMO) + "".join(typed_example(n, b) for n, b in BAD_GIZMOS.items())
    examples += typed_example("undeclared", {**GOOD_GIZMO, "undocumented": "kept"})
    docs = tmp_path / "docs"
    (docs / "v1.0").mkdir(parents=True)  # one API version: the types and the operation meet
    (docs / "v1.0" / "gizmo-create.md").write_text(TYPED.format(examples=examples), encoding="utf-8")
    (docs / "v1.0" / "gizmo.md").write_text(GIZMO, encoding="utf-8")
    for name, text in TYPED_SUPPORT.items():
        (docs / "v1.0" / name).write_text(text, encoding="utf-8")
    sink = Sink()
    files = generate(Config(input=docs, output=tmp_path / "out"), sink).files
    skipped = {re.search(r"example '(\w+)'", d.message).group(1): d.message for d in sink.items if d.code == "DG405"}
    assert set(skipped) == set(BAD_GIZMOS), sorted(skipped)
    # a key the model does not declare: the docs disagree with the tables; both lines are named
    (undeclared,) = [d for d in sink.items if d.code == "DG407"]
    assert "'undeclared'" in undeclared.message and "'undocumented'" in undeclared.message
    assert re.search(
        r"gizmo-create\.md:\d+ holds 'undocumented', which 'gizmo' \(properties at .*gizmo\.md:\d+\)",
        undeclared.message,
    )
    (test_module,) = [text for path, text in files.items() if path.endswith("test_v1_0_gizmo_create.py")]
    assert "def test_conforming(" in test_module
    # and the test that was generated passes
    out = tmp_path / "out"
    write_tree(out, files, diff_tree(files, read_tree(out)))
    result = run_pytest(out, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
