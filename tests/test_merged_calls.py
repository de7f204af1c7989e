"""One REST call documented once per derived type (Intune: a page per derived type of
deviceConfiguration) is one method, typed by the types' nearest common base; pages whose types
share no base are named apart (DG501). Small pages of our own."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from docgen_helpers import run_docgen, run_pytest

from docgen.diagnostics import Sink
from docgen.extract import extract_page
from docgen.link import link
from docgen.plan.operations import operation_names
from docgen.read import Source
from docgen.validate import call_key, validate


def _resource(name: str, rows: str, base: str = "") -> str:
    based = f', "baseType": "microsoft.graph.{base}"' if base else ""
    return f"""
# {name} resource type

Namespace: microsoft.graph

A {name}.

## Properties

|Property|Type|Description|
|:---|:---|:---|
{rows}

## JSON representation

<!-- {{ "blockType": "resource", "@odata.type": "microsoft.graph.{name}"{based} }} -->
```json
{{"id": "String"}}
```
"""


def _get(title: str, type_name: str, path: str, url: str, body: str) -> str:
    return f"""
# {title}

Namespace: microsoft.graph

Read the properties of a [{type_name}]({type_name}.md) object.

## HTTP request

```http
GET {path}
```

## Response

If successful, this method returns a `200 OK` response code and a [{type_name}]({type_name}.md) object in the response body.

## Example

### Request

<!-- {{ "blockType": "request", "name": "get_{type_name}" }} -->
```http
GET https://graph.microsoft.com/v1.0{url}
```

### Response

<!-- {{ "blockType": "response", "@odata.type": "microsoft.graph.{type_name}" }} -->
```http
HTTP/1.1 200 OK
Content-type: application/json

{body}
```
"""


PAGES = {
    "shape.md": _resource("shape", "|id|String|Identifier.|\n|name|String|Name.|"),
    "circle.md": _resource("circle", "|radius|Int32|Radius.|", base="shape"),
    "square.md": _resource("square", "|side|Int32|Side.|", base="shape"),
    "gadget.md": _resource("gadget", "|id|String|Identifier.|\n|volts|Int32|Volts.|"),
    "gizmo.md": _resource("gizmo", "|id|String|Identifier.|\n|teeth|Int32|Teeth.|"),
    # one call (placeholders of other names, segments of other case), two derived types
    "circle-get.md": _get(
        "Get circle",
        "circle",
        "/shapes/{shapeId}",
        "/shapes/c1",
        '{"@odata.type": "#microsoft.graph.circle", "id": "c1", "name": "Round", "radius": 3}',
    ),
    "square-get.md": _get(
        "Get square",
        "square",
        "/Shapes/{id}",
        "/shapes/s1",
        '{"@odata.type": "#microsoft.graph.square", "id": "s1", "name": "Boxy", "side": 4}',
    ),
    # one call, two types with no base in common
    "gadget-get.md": _get("Get gadget", "gadget", "/things/{id}", "/things/g1", '{"id": "g1", "volts": 5}'),
    "gizmo-get.md": _get("Get gizmo", "gizmo", "/things/{id}", "/things/z1", '{"id": "z1", "teeth": 12}'),
}


def _checked(order: list[str]):
    sink = Sink()
    pages = [extract_page(Source(rel=rel, display=rel, text=PAGES[rel].lstrip("\n")), sink) for rel in order]
    return validate(link(pages, sink)), sink


def test_call_key_compares_as_the_service_does() -> None:
    validated, _ = _checked(["circle-get.md", "square-get.md"])
    keys = {call_key(c.operation) for c in validated.operations}
    assert keys == {("GET", "/shapes/{}")}


@pytest.mark.parametrize("reverse", [False, True], ids=["path-order", "reversed"])
def test_derived_type_pages_of_one_call_merge_and_unrelated_ones_do_not(reverse: bool) -> None:
    order = sorted(PAGES, reverse=reverse)
    validated, _ = _checked(order)
    checked = validated.operations
    merged = validated.merged
    pages = [[checked[i].operation.span.path for i in call.members] for call in merged]
    assert pages == [["circle-get.md", "square-get.md"]]  # the leader first, whatever the order
    assert merged[0].response is not None and merged[0].response.name == "shape"
    sink = Sink()
    names = dict(zip((c.operation.span.path for c in checked), (n.call for n in operation_names(validated, sink))))
    assert names == {
        "circle-get.md": "shapes.get",
        "square-get.md": "shapes.get",
        # one call for two types with no common base: two methods, each in its type's group, where
        # their one name collides with nothing
        "gadget-get.md": "gadgets.get_thing",
        "gizmo-get.md": "gizmos.get_thing",
    }
    assert not [d for d in sink.items if d.code == "DG501"]


def test_the_merged_method_is_one_and_each_page_tests_its_own_class(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    for rel, text in PAGES.items():
        (docs / "v1.0").mkdir(parents=True, exist_ok=True)
        (docs / "v1.0" / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    out = tmp_path / "out"
    done = run_docgen("build", "--input", docs, "--output", out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "note[DG140]" in done.stderr and "circle-get.md, docs/v1.0/square-get.md" in done.stderr
    operations = out / "graph_client" / "v1_0" / "operations"
    shape = (operations / "shapes.py").read_text(encoding="utf-8")
    assert shape.count("    def get(") == 1 and ") -> Shape:" in shape
    assert "_rt.parse_model(response, Shape)" in shape
    assert "- Get square (docs/v1.0/square-get.md:1)" in shape  # the docstring names every page
    assert "GET /shapes/{shapeId}, documented for shape and its derived types by 2 pages" in shape
    assert not (operations / "circles.py").exists() and not (operations / "squares.py").exists()
    assert (operations / "gadgets.py").exists() and (operations / "gizmos.py").exists()
    square_test = out / "tests" / "test_v1_0_square_get.py"
    text = square_test.read_text(encoding="utf-8")
    assert "client.shapes.get(" in text and "isinstance(result, Square)" in text and "result.side == 4" in text
    passed = run_pytest(out / "tests", cwd=out)
    assert passed.returncode == 0, passed.stdout[-3000:]
    # the test of a page still fails on a wrong class or a wrong property
    square_test.write_text(text.replace('"#microsoft.graph.square"', '"#microsoft.graph.circle"'), encoding="utf-8")
    assert run_pytest(square_test, cwd=out).returncode != 0
    square_test.write_text(text, encoding="utf-8")
    model = out / "graph_client" / "v1_0" / "models" / "square.py"
    model.write_text(model.read_text(encoding="utf-8").replace("side:", "sides:"), encoding="utf-8")
    assert run_pytest(square_test, cwd=out).returncode != 0


def test_which_and_the_export_follow_the_merge(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "v1.0").mkdir(parents=True)
    for rel, text in PAGES.items():
        (docs / "v1.0" / rel).write_text(text.lstrip("\n"), encoding="utf-8")
    found = run_docgen("which", "--input", docs, "GET /shapes/x1")
    assert found.returncode == 0, found.stdout + found.stderr
    assert found.stdout.count("GraphClient.shapes.get(") == 1 and "-> Shape" in found.stdout
    done = run_docgen("export", "openapi", "--input", docs, "--output", tmp_path / "oa")
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads((tmp_path / "oa" / "openapi.v1.0.json").read_text(encoding="utf-8"))
    operation = document["paths"]["/shapes/{shape_id}"]["get"]
    assert operation["operationId"] == "shapes.get" and operation["tags"] == ["shapes"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/microsoft.graph.shape"}
    ids = [e["operationId"] for item in document["paths"].values() for e in item.values()]
    assert [i for i in ids if i.startswith("shapes.")] == ["shapes.get"]  # one operation for both pages
