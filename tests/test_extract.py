"""Small inline pages -> IR and diagnostics (with their lines)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from docgen import ir
from docgen.diagnostics import Sink
from docgen.extract import extract_page
from docgen.ir import (
    BodyKind,
    Field,
    HttpPath,
    HttpRequest,
    HttpResponse,
    PageKind,
    Permission,
    PermissionKind,
    PermissionState,
    Response,
    Span,
    TypeKind,
    TypeRef,
)
from docgen.read import PageContext, Source


def page(text: str, rel: str = "api/x.md"):
    sink = Sink()
    result = extract_page(Source(rel=rel, display=f"docs/{rel}", text=textwrap.dedent(text).lstrip("\n")), sink)
    return result, sink


def codes(sink: Sink) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in sink.sorted()]


OPERATION = """
---
title: "Get widget"
doc_type: apiPageType
---
# Get widget

Namespace: microsoft.graph.widgets

## Permissions
|Permission type|Permissions|
|:---|:---|
|Delegated (work or school account)|**TODO: Determine scopes **|
|Delegated (personal Microsoft account)|Not supported.|
|Application|Widget.Read.All, Widget.ReadWrite.All|

## HTTP request
<!-- { "blockType": "ignored" } -->
```http
GET /widgets/{id}
GET /me/widgets/{widget-id}?$select=name
```

## Response
If successful, this method returns a `200 OK` response code and a [widget](../resources/widget.md) object in the response body.

## Example
##### Request
```http
GET https://graph.microsoft.com/v1.0/widgets/w1
```
##### Response
<!-- { "blockType": "response", "truncated": "true" } -->
```http
HTTP/1.1 200 OK
Content-type: application/json

{"id": "w1", "size": 3,}
```
"""


def test_operation_page_facts_and_lines() -> None:
    result, sink = page(OPERATION)
    assert result.kind is PageKind.OPERATION
    assert result.title == "Get widget"
    assert result.namespace == "microsoft.graph.widgets"
    op = result.operation
    assert op.paths == (
        HttpPath(method="GET", path="/widgets/{id}", annotation=(("blockType", "ignored"),)),
        HttpPath(
            method="GET", path="/me/widgets/{widget-id}", query="$select=name", annotation=(("blockType", "ignored"),)
        ),
    )
    assert [p.span.line for p in op.paths] == [19, 20]
    assert op.permissions == (
        Permission(kind=PermissionKind.DELEGATED_WORK, state=PermissionState.UNKNOWN, raw="TODO: Determine scopes"),
        Permission(kind=PermissionKind.DELEGATED_PERSONAL, state=PermissionState.NOT_SUPPORTED, raw="Not supported."),
        Permission(
            kind=PermissionKind.APPLICATION,
            state=PermissionState.SCOPES,
            scopes=("Widget.Read.All", "Widget.ReadWrite.All"),
            raw="Widget.Read.All, Widget.ReadWrite.All",
        ),
    )
    assert op.response == Response(
        status=200, type=TypeRef(kind=TypeKind.NAMED, name="widget", link="resources/widget.md")
    )
    (example,) = op.examples
    assert example.request.url == "https://graph.microsoft.com/v1.0/widgets/w1"
    assert example.request.body.kind is BodyKind.NONE
    assert example.response.status == 200
    assert example.response.body.json == {"id": "w1", "size": 3}
    assert example.truncated
    assert example.request.span.line == 29
    assert example.response.span.line == 34
    assert codes(sink) == [("DG403", 37)]  # the trailing comma was repaired, with a warning


def test_type_cells() -> None:
    text = """
    ---
    doc_type: resourcePageType
    ---
    # widget resource type

    ## Properties
    | Property | Type | Description |
    |---|---|---|
    | name | String | Name. |
    | tags | String collection | Tags. |
    | when | Edm.DateTimeOffset | When. |
    | size | int | Size. |
    | owner | [user](user.md) | Owner. |
    | parts | [part](part.md) collection | Parts. |
    | kinds | Collection(microsoft.graph.kind) | Kinds. |
    | ref | [thing][] | Reference link. |
    | odd | String or number | Odd. |
    """
    result, sink = page(text, rel="resources/widget.md")
    (model,) = result.models
    assert model.name == "widget"
    types = {f.name: f.type for f in model.fields}
    assert types["name"] == TypeRef(kind=TypeKind.PRIMITIVE, name="String")
    assert types["tags"] == TypeRef(kind=TypeKind.PRIMITIVE, name="String", collection=True)
    assert types["when"] == TypeRef(kind=TypeKind.PRIMITIVE, name="DateTimeOffset")
    assert types["size"] == TypeRef(kind=TypeKind.PRIMITIVE, name="Int32")
    assert types["owner"] == TypeRef(kind=TypeKind.NAMED, name="user", link="resources/user.md")
    assert types["parts"] == TypeRef(kind=TypeKind.NAMED, name="part", collection=True, link="resources/part.md")
    assert types["kinds"] == TypeRef(kind=TypeKind.NAMED, name="kind", collection=True, namespace="microsoft.graph")
    assert types["ref"] == TypeRef(kind=TypeKind.NAMED, name="thing")
    assert types["odd"].kind is TypeKind.ANY
    assert codes(sink) == [("DG201", 17)]


def test_broken_rows_and_json_are_reported_with_lines() -> None:
    text = """
    ---
    doc_type: apiPageType
    ---
    # Create widget

    ## HTTP request
    ```http
    POST /widgets
    not a request line
    ```

    ## Request body
    In the request body, supply a JSON representation of a [widget](../resources/widget.md) object.

    |Property|Type|Description|
    |:---|:---|:---|
    |size|Int32|
    |size|Int32|Again.|
    ||String|No name.|

    ## Example
    ```http
    POST https://graph.microsoft.com/v1.0/widgets
    Content-Type: application/json

    {"size": }
    ```
    """
    result, sink = page(text)
    assert result.operation.request_body.fields == (
        Field(name="size", type=TypeRef(kind=TypeKind.PRIMITIVE, name="Int32")),
    )
    assert codes(sink) == [("DG302", 9), ("DG120", 17), ("DG121", 18), ("DG122", 19), ("DG402", 26)]


def test_unclosed_fence_and_comment_and_bad_front_matter() -> None:
    text = """
    ---
    title: driveItem: createUploadSession
    just words
    ---
    # Title

    <!-- never closed
    """
    result, sink = page(textwrap.dedent(text) + "\n```http\nGET /x\n")
    assert result.title == "driveItem: createUploadSession"
    assert ("DG101", 3) in codes(sink)
    assert ("DG111", 7) in codes(sink)


def test_tab_markers_are_not_headings() -> None:
    text = """
    ---
    doc_type: apiPageType
    ---
    # List things

    ## HTTP request
    ```http
    GET /things
    ```

    ## Examples

    # [HTTP](#tab/http)
    ```http
    GET https://graph.microsoft.com/beta/things
    ```

    # [C#](#tab/csharp)
    [!INCLUDE [sample-code](../includes/snippets/csharp/x.md)]

    ---

    ```http
    HTTP/1.1 200 OK
    ```
    """
    result, _ = page(text)
    (example,) = result.operation.examples
    assert example.response is not None and example.response.status == 200


def test_requests_pair_with_responses_by_name_then_order() -> None:
    text = """
    ---
    doc_type: apiPageType
    ---
    # Do things

    ## HTTP request
    ```http
    GET /things
    ```

    ## Examples
    <!-- { "blockType": "request", "name": "first" } -->
    ```http
    GET https://graph.microsoft.com/beta/things
    ```
    <!-- { "blockType": "request", "name": "second" } -->
    ```http
    GET https://graph.microsoft.com/beta/things?$top=1
    ```
    <!-- { "blockType": "response", "name": "first" } -->
    ```http
    HTTP/1.1 200 OK
    ```
    ```http
    HTTP 204 No Content
    ```
    """
    result, _ = page(text)
    first, second = result.operation.examples
    assert (first.name, first.response.status) == ("first", 200)
    assert (second.name, second.response.status) == ("second", 204)


def test_examples_are_http_requests_and_responses() -> None:
    result, _ = page(OPERATION)
    (example,) = result.operation.examples
    assert isinstance(example.request, HttpRequest) and isinstance(example.response, HttpResponse)
    assert example.request.method == "GET" and example.response.status == 200
    assert example.response.annotated("truncated") == "true" and example.request.annotated("name", "x") == "x"


def test_page_context_reports_at_a_line_of_its_page() -> None:
    sink = Sink()
    ctx = PageContext(rel="api/x.md", display="docs/api/x.md", sink=sink)
    ctx.report("DG120", 7, "table row has 2 cells, its header has 3")
    assert ctx.span(7) == Span(path="docs/api/x.md", line=7)
    assert [d.format() for d in sink.sorted()] == [
        "docs/api/x.md:7:1: warning[DG120]: table row has 2 cells, its header has 3"
    ]


def test_every_ir_class_and_field_is_documented() -> None:
    """Each IR class has a docstring, and each dataclass field a string literal under it."""
    tree = ast.parse(Path(ir.__file__).read_text(encoding="utf-8"))
    undocumented = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
            continue
        if ast.get_docstring(node) is None:
            undocumented.append(node.name)
        if not any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "dataclass" for d in node.decorator_list):
            continue
        for index, statement in enumerate(node.body):
            if isinstance(statement, ast.AnnAssign):
                following = node.body[index + 1] if index + 1 < len(node.body) else None
                if not (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)):
                    undocumented.append(f"{node.name}.{statement.target.id}")
    assert undocumented == []
