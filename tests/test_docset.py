"""Behaviour of a client generated from the project's own small doc set
(tests/golden/docset): versions, every operation kind, polymorphism, enums, paging."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from docgen_helpers import ROOT, run_docgen, run_pytest

DOCSET = ROOT / "tests" / "golden" / "docset" / "docs_input"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docset") / "out"
    result = run_docgen("build", "--input", DOCSET, "--output", out)
    assert result.returncode == 0, result.stderr
    return out


def run_python(out: Path, code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_generated_tests_pass(built: Path, tmp_path: Path) -> None:
    result = run_pytest(built, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


def test_versions_are_separate_packages(built: Path) -> None:
    out = run_python(
        built,
        "from graph_client.beta.models import Widget as B; from graph_client.v1_0.models import Widget as V;"
        "print(sorted(B.model_fields) == sorted(['odata_type', 'id', 'display_name', 'glow']), 'glow' in V.model_fields,"
        " 'size' in V.model_fields)",
    )
    assert out.split() == ["True", "False", "True"]


PAGER = """
import httpx, json
from graph_client.v1_0 import GraphClient
from graph_client.v1_0.models import SpecialWidget, Widget, WidgetColor
pages = {
    "/v1.0/widgets": {"value": [{"id": "a", "color": "red"}, {"@odata.type": "#microsoft.graph.specialWidget", "id": "b", "power": 2}],
                      "@odata.nextLink": "https://graph.microsoft.com/v1.0/widgets?$skiptoken=2"},
}
def handle(request):
    if request.url.params.get("$skiptoken") == "2":
        return httpx.Response(200, json={"value": [{"id": "c", "color": "ultraviolet"}]})
    return httpx.Response(200, json=pages[request.url.path])
with GraphClient("t", base_url="https://graph.microsoft.com/v1.0", transport=httpx.MockTransport(handle)) as client:
    pager = client.widgets.list(top=2)
    first = [w.id for w in pager.items]
    items = list(pager)
print(json.dumps({
    "first": first,
    "all": [w.id for w in items],
    "types": [type(w).__name__ for w in items],
    "red": items[0].color is WidgetColor.RED,
    "unknown": str(items[2].color),
    "power": items[1].power,
}))
"""


def test_paging_polymorphism_and_open_enums(built: Path) -> None:
    result = json.loads(run_python(built, PAGER))
    assert result == {
        "first": ["a", "b"],
        "all": ["a", "b", "c"],
        "types": ["Widget", "SpecialWidget", "Widget"],
        "red": True,
        "unknown": "ultraviolet",
        "power": 2,
    }


CALLS = """
import httpx, json
from graph_client.v1_0 import GraphClient
from graph_client.v1_0.models import Widget
seen = []
def handle(request):
    seen.append((request.method, str(request.url), request.content.decode(), request.headers.get("if-match")))
    if request.url.path.endswith("$count"):
        return httpx.Response(200, text="\\ufeff42")
    return httpx.Response(204)
with GraphClient("t", base_url="https://graph.microsoft.com/v1.0", transport=httpx.MockTransport(handle)) as client:
    widget = Widget(display_name="New name")
    client.widgets.update("w 1", widget, if_match='W/"1"')
    count = client.widgets.count(consistency_level="eventual")
    client.widgets.remove_owner("w1", "o1")
print(json.dumps({"seen": seen, "count": count}))
"""


def test_patch_sends_only_set_fields_and_other_kinds(built: Path) -> None:
    result = json.loads(run_python(built, CALLS))
    patch, count, ref = result["seen"]
    assert patch == ["PATCH", "https://graph.microsoft.com/v1.0/widgets/w%201", '{"displayName":"New name"}', 'W/"1"']
    assert count[:2] == ["GET", "https://graph.microsoft.com/v1.0/widgets/$count"]
    assert result["count"] == 42
    assert ref[:2] == ["DELETE", "https://graph.microsoft.com/v1.0/widgets/w1/owners/o1/$ref"]


def test_function_parameters_and_inheritance(built: Path) -> None:
    reports = (built / "graph_client/v1_0/operations/reports.py").read_text()
    assert "def get_widget_counts(" in reports  # named after the function the path calls
    assert "period_value: str," in reports
    special = (built / "graph_client/v1_0/models/special_widget.py").read_text()
    assert "class SpecialWidget(Widget):" in special
    assert "power: int | None" in special and "display_name" not in special
    widget = (built / "graph_client/v1_0/models/widget.py").read_text()
    assert "class Widget(Entity):" in widget
