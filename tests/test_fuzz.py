"""Fuzzing the parser with Markdown assembled from page fragments: no exception escapes
extract_page or generate, every diagnostic is well formed, and whatever is generated is Python.

Fragments are the shapes real pages have (front matter, headings of every concept at every
level, property/permission/header/member tables, HTTP request blocks, example fences with
headers and bodies, annotations) in good and broken variants, shuffled, cut and spliced.
"""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from docgen.config import Config
from docgen.diagnostics import CODES, Sink
from docgen.extract import extract_page
from docgen.ir_json import to_json
from docgen.pipeline import generate
from docgen.read import Source, decode

pytestmark = pytest.mark.usefixtures("no_docgen_cache")


FRONT_MATTER = [
    '---\ntitle: "Create widget"\ndescription: "Create one."\ndoc_type: apiPageType\n---\n',
    "---\ntitle: widget resource type\ndoc_type: resourcePageType\n---\n",
    "---\ntitle: colour enum type\ndoc_type: enumPageType_\n---\n",
    "---\ntitle: driveItem: createUploadSession\ndoc_type: conceptualPageType\n---\n",
    "---\ntitle: not closed\n",
    "---\n no colon here\n: empty key\n---\n",
    "",
]
HEADINGS = [
    "HTTP request",
    "HTTP Requests",
    "Permissions",
    "Prerequisites",
    "Request headers",
    "Optional request headers",
    "Request body",
    "Response",
    "Responses",
    "Properties",
    "Properties of widget",
    "Instance attributes",
    "Relationships",
    "JSON representation",
    "Members",
    "colour values",
    "Example",
    "Examples",
    "Example 1: create",
    "Request",
    "Response",
    "Path parameters",
    "Query parameters",
    "Optional query parameters",
    "Function parameters",
    "Parameters",
    "Methods",
    "widget resource type",
    "Create widget",
    "colour enum type",
    "[HTTP](#tab/http)",
    "",
    "Namespace: microsoft.graph",
]
TYPES = [
    "String",
    "Int32",
    "Int64",
    "Boolean",
    "DateTimeOffset",
    "Date",
    "TimeOfDay",
    "Duration",
    "Guid",
    "Double",
    "Binary",
    "String collection",
    "Collection(microsoft.graph.widget)",
    "[gadget](gadget.md)",
    "[gadget](gadget.md) collection",
    "[colour](colour.md)",
    "Strng or Shape",
    "",
    "edm.string",
    "x|y",
]
NAMES = [
    "id",
    "displayName",
    "from",
    "class",
    "URL",
    "url",
    "@odata.type",
    "a.b",
    "1st",
    "日本",
    "",
    "**bold**",
    "`code`",
    "name (required)",
    "---",
    "self",
    "body",
]
JSON_BODIES = [
    '{"id": "w1", "displayName": "x"}',
    '{\n  "id": "w1",\n  // comment\n  "size": 3,\n}',
    '{\n  "value": [\n    {"id": "a"},\n    ...\n  ]\n}',
    '{"a": NaN}',
    '{"broken": ',
    "[" * 120 + "]" * 120,
    '{"createdDateTime": "2017-01-01T00:02:43.5775965-08:00", "d": "-PT17.1357909S", "t": "10:11:12", "day": "2020-02-30"}',
    '{"@odata.type": "#microsoft.graph.widget", "id": "x"}',
    "not json at all",
    "",
    '{"big": ' + "9" * 5000 + "}",
]


def table(header: list[str], rows: list[list[str]], pipes: bool) -> str:
    def line(cells: list[str]) -> str:
        inner = "|".join(cells)
        return f"|{inner}|" if pipes else inner

    return "\n".join([line(header), line(["---"] * len(header))] + [line(r) for r in rows]) + "\n"


cell = st.sampled_from(NAMES) | st.text(max_size=6)
rows = st.lists(st.lists(cell | st.sampled_from(TYPES), min_size=0, max_size=5), max_size=6)
property_table = st.builds(
    table,
    st.sampled_from(
        [
            ["Property", "Type", "Description"],
            ["Name", "Type"],
            ["Parameter", "Type", "Description"],
            ["Member", "Value", "Description"],
            ["Member"],
            ["Relationship", "Type", "Description"],
            ["Header", "Value"],
            ["Permission type", "Permissions (from least to most privileged)"],
        ]
    ),
    rows,
    st.booleans(),
)
request_line = st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE", "FETCH"]).flatmap(
    lambda method: st.sampled_from(
        [
            "/widgets",
            "/widgets/{id}",
            "/groups/{id}/members/{id}/$ref",
            "/me/drive/root:/{item-path}:/content",
            "/reports/getX(period='{period_value}')",
            "/widgets/<id>",
            "https://graph.microsoft.com/v1.0/widgets?$top=1",
            "",
            "{{x}}",
        ]
    ).map(lambda path: f"{method} {path}")
)
fence_open = st.sampled_from(["```http", "``` http", "```json", "```", "~~~", "````http"])
http_request_block = st.builds(
    lambda o, lines, close: f"{o}\n" + "\n".join(lines) + ("\n```\n" if close else "\n"),
    fence_open,
    st.lists(request_line, min_size=0, max_size=3),
    st.booleans(),
)
status_line = st.sampled_from(
    [
        "HTTP/1.1 200 OK",
        "HTTP/1.1 201 Created",
        "HTTP 204",
        "202 Accpted",
        "HTTP/1.1 404 Not Found",
        "HTTP/1.1 100 Continue",
        "HTTP/1.1 302 Found",
    ]
)
headers = st.lists(
    st.sampled_from(
        [
            "Content-Type: application/json",
            "Content-type: text/plain",
            "Content-Type: application/octet-stream",
            "Content-Length: 12",
            "Authorization: Bearer {token}",
            "Retry-After: 10",
            "X: \x00",
        ]
    ),
    max_size=3,
)
example_fence = st.builds(
    lambda first, hs, body, close: "```http\n"
    + "\n".join([first, *hs])
    + "\n\n"
    + body
    + ("\n```\n" if close else "\n"),
    request_line.map(lambda line: line.replace(" /", " https://graph.microsoft.com/v1.0/", 1)) | status_line,
    headers,
    st.sampled_from(JSON_BODIES),
    st.booleans(),
)
annotation = st.sampled_from(
    [
        '<!-- { "blockType": "request", "name": "create_widget" } -->',
        '<!-- { "blockType": "response", "truncated": true, "@odata.type": "microsoft.graph.widget" } -->',
        '<!-- { "blockType": "ignored" } -->',
        '<!-- { "blockType": "resource", "baseType": "microsoft.graph.gadget", "@odata.type": "microsoft.graph.widget", } -->',
        "<!-- { blockType: request, name: x, } -->",
        "<!-- { not json -->",
        "<!-- unclosed comment",
        "<!-- -->",
    ]
)
paragraph = st.sampled_from(
    [
        "Namespace: microsoft.graph",
        "If successful, this method returns a `201 Created` response code and a [widget](../resources/widget.md) object.",
        "If successful, this method returns a `200 OK` response code and a collection of [widget](widget.md) objects.",
        "In the request body, supply a JSON representation of a [widget](../resources/widget.md) object.",
        "[!INCLUDE [permissions-table](../includes/permissions/widget.md)]",
        "Possible values are: `a`, `b`, `unknownFutureValue`.",
        "---",
    ]
) | st.text(max_size=30)
heading = st.builds(lambda level, text: "#" * level + " " + text + "\n", st.integers(1, 6), st.sampled_from(HEADINGS))
fragment = st.one_of(heading, heading, property_table, http_request_block, example_fence, annotation, paragraph)
page_text = st.builds(
    lambda front, parts, joiner: front + joiner.join(parts),
    st.sampled_from(FRONT_MATTER),
    st.lists(fragment, max_size=14),
    st.sampled_from(["\n", "\n\n", "\r\n", "\n\n\n"]),
)
# and pages cut at any point or with junk spliced in
mangled = st.builds(
    lambda text, cut, junk: text[: cut % (len(text) + 1)] + junk + text[cut % (len(text) + 1) :],
    page_text,
    st.integers(0, 10_000),
    st.sampled_from(
        [
            "",
            "\x00",
            "\ufeff",
            "```",
            "<!--",
            "|",
            "\r",
            "\u2028",
            "\x1b[31m",
            "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
        ]
    ),
)
any_page = page_text | mangled


def assert_well_formed(sink: Sink) -> None:
    for diagnostic in sink.items:
        assert diagnostic.code in CODES
        assert diagnostic.line >= 1 and diagnostic.col >= 1
        assert "\n" not in diagnostic.message
        assert diagnostic.code not in ("DG009", "DG601", "DG602"), diagnostic.format()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_page)
def test_extract_page_never_raises(text: str) -> None:
    sink = Sink()
    page = extract_page(Source(rel="api/widget-create.md", display="docs/api/widget-create.md", text=text), sink)
    to_json([page])  # the IR serialises too (docgen parse)
    assert_well_formed(sink)
    # Markdown ends a line at CR, LF or CRLF (the reader turns them all into LF before extraction).
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert all(d.line <= lines + 1 for d in sink.items), [d.format() for d in sink.items]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | any_page.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decode_never_raises(data: bytes) -> None:
    sink = Sink()
    text = decode(data, "x.md", sink)
    assert text is None or ("\r" not in text and not text.startswith("\ufeff"))
    if text is not None:
        extract_page(Source(rel="x.md", display="x.md", text=text), sink)
    assert_well_formed(sink)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(st.lists(any_page, min_size=1, max_size=3))
def test_generate_never_raises_and_emits_python(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        docs = Path(folder) / "docs"
        (docs / "api").mkdir(parents=True)
        for index, text in enumerate(texts):
            (docs / "api" / f"page{index}.md").write_bytes(text.encode("utf-8", "surrogatepass"))
        (docs / "resources").mkdir()
        (docs / "resources" / "widget.md").write_text(
            "# widget resource type\n\n## Properties\n\n|Property|Type|Description|\n|-|-|-|\n|id|String|x|\n|size|Int32|y|\n",
            encoding="utf-8",
        )
        sink = Sink()
        result = generate(Config(input=docs, output=Path(folder) / "out"), sink)
    assert_well_formed(sink)
    assert "graph_client/models/widget.py" in result.files  # the good page is never lost
    for path, source in result.files.items():
        if path.endswith(".py"):  # pyproject.toml and py.typed are not Python
            ast.parse(source, filename=path)
