"""`docgen which`: from a documented REST call to the generated method, from the outside (the
command on our own pages, tests/projects/mockdocs) and over every documented request line of
the corpus sample (skipped when absent)."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from docgen.config import load_config
from docgen.diagnostics import Sink
from docgen.lint import validated_specs
from docgen.plan.example_tests import fill_placeholders
from docgen.plan.operations import operation_names
from docgen.which import Index, parse_request, which
from docgen_helpers import CORPUS, ROOT, run_docgen

MOCKDOCS = ROOT / "tests" / "projects" / "mockdocs"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("which") / "project"
    shutil.copytree(MOCKDOCS, root, ignore=shutil.ignore_patterns("client"))
    return root


@pytest.mark.parametrize(
    ("line", "method", "call", "source"),
    [
        ("GET /widgets?$top=1", "widgets.list", "graph.widgets.list(top=1)", "widget-list.md:16: GET /widgets"),
        (
            "get https://graph.microsoft.com/v1.0/WIDGETS/w7",  # a full URL, case-insensitive segments
            "widgets.get",
            'graph.widgets.get("w7")',
            "widget-get.md:16: GET /widgets/{id}",
        ),
        ("GET /widgets/{id}", "widgets.get", "graph.widgets.get(widget_id)", "widget-get.md:16"),  # as documented
        (
            "GET /v1.0/shelves/s1/widgets/w2/",  # the method's second path, a trailing slash
            "widgets.get",
            'graph.widgets.get("w2", shelf_id="s1")',
            "widget-get.md:17: GET /shelves/{shelf-id}/widgets/{id}",
        ),
        (
            "POST /shelves/{shelf-id}/widgets",
            "widgets.create",
            "graph.widgets.create(shelf_id, body)",
            "widget-create.md",
        ),
    ],
)
def test_which_prints_method_signature_call_and_source(project: Path, line: str, method: str, call: str, source: str):
    result = run_docgen("which", line, cwd=project)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(rf"^  mockgraph\.v1_0\.GraphClient\.{re.escape(method)}\(.*\) -> ", out, re.MULTILINE), out
    assert f"  call: {call}\n" in out, out
    assert f"pages/v1.0/{source}" in out, out


def test_which_gives_the_one_method_of_a_call_two_pages_document(project: Path) -> None:
    # gadget-get.md and gizmo-get.md document GET /items/{id}, both of a widget: one method (DG140)
    result = run_docgen("which", "GET /items/i1", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("GraphClient.widgets.get_item(") == 1 and ") -> Widget" in result.stdout
    assert "pages/v1.0/gadget-get.md" in result.stdout  # its leader, the first page by path


def test_which_not_found_names_the_closest_paths_and_exits_1(project: Path) -> None:
    result = run_docgen("which", "GET /widgetz/w1", cwd=project)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "docgen: no documented operation makes GET /widgetz/w1"
    assert lines[1] == "closest documented paths:"
    assert lines[2].startswith("  GET /widgets/{id}  (pages/v1.0/widget-get.md:16)"), result.stderr
    wrong_method = run_docgen("which", "DELETE /widgets/w1", cwd=project)
    assert wrong_method.returncode == 1 and "GET /widgets/{id}" in wrong_method.stderr


def test_which_usage_errors_exit_2(project: Path) -> None:
    result = run_docgen("which", "/widgets", cwd=project)
    assert result.returncode == 2 and "is not a request line" in result.stderr


def _shape(path: str) -> str:
    """A documented path with its placeholders unnamed, in lower case."""
    return re.sub(r"\{[^{}]*\}|<[^<>/]*>", "{}", path).lower().rstrip("/")


def test_which_finds_every_documented_request_line_of_the_corpus(corpus: Path) -> None:
    """Each documented request line, as documented and with its placeholders filled (and its
    API version in front), leads back to its own method; the command itself is run on a sample."""
    config = load_config(ROOT, {"input": corpus})
    specs = validated_specs(config, Sink())
    index = Index.of(specs, config.package)
    lines, found, lost = 0, 0, []
    sample = []
    for version, validated in sorted(specs.items()):
        for item, name in zip(validated.operations, operation_names(validated, Sink())):
            for path in item.operation.paths:
                lines += 1
                query = f"?{path.query.lstrip('?')}" if path.query else ""
                for text in (path.path, fill_placeholders(path.path)):
                    request = parse_request(f"{path.method} /{version}{text}{query}")
                    got = which(index, request)  # only that version's methods: the URL names it
                    same = all(f.version == version and _shape(f.path.path) == _shape(path.path) for f in got)
                    if any(f.method.call == name.call for f in got) and same:  # and no less specific path
                        found += 1
                    else:
                        lost.append((str(path.span), text))
                sample.append((f"{path.method} /{version}{fill_placeholders(path.path)}", str(name.call)))
    print(f"\ndocgen which: {found // 2} of {lines} documented request lines found, placeholders filled or not")
    assert lines >= 790 and not lost, lost[:5]
    for line, name in random.Random(13).sample(sample, 5):
        result = run_docgen("which", "--input", corpus, line)
        assert result.returncode == 0 and f".{name}(" in result.stdout, (line, result.stdout, result.stderr)
