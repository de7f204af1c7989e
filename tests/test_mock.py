"""The offline mock (`<package>.testing`), from the outside: a build of our own pages
(tests/projects/mockdocs, package `mockgraph`) and of the corpus sample (skipped when absent),
driven with httpx alone through `httpx.MockTransport`, over a real HTTP server on 127.0.0.1
that the test starts (`python -m <package>.testing --port 0`), and with the generated client."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from docgen_helpers import CORPUS, ROOT, run_docgen, run_pytest

MOCKDOCS = ROOT / "tests" / "projects" / "mockdocs"

# Sends every documented example request (as documented: method, URL, headers, JSON body) to the
# mock, through its transport or to a server's base URL, and compares what comes back with the
# documented response. Run in the output folder, in a process of its own (the package is imported
# from there). A miss is allowed only for a request that an earlier example documents
# identically (same method, path, query and body) with another response: no request can tell
# them apart; `use()` chooses (checked with --pinned).
DRIVER = r"""
import json, sys
import httpx
package, mode, pinned = sys.argv[1], sys.argv[2], sys.argv[3] == "pinned"
testing = __import__(package + ".testing", fromlist=["GraphMock"])
mock = testing.GraphMock()
if mode == "transport":
    client = httpx.Client(transport=mock.transport())
    base = None
else:
    client, base = httpx.Client(), mode

def documented(example, response):
    if response.status_code != example.status:
        return False
    if example.status in (204, 304) and base is not None:  # HTTP carries no body, whatever the page shows
        return response.content == b""
    try:
        expected = json.loads(example.response_body)
    except ValueError:
        return response.content == example.content
    return response.json() == expected

seen, correct, misses, duplicates = {}, 0, [], []
for example in mock.examples:
    url = example.url if "://" in example.url else "https://graph.microsoft.com/" + example.url.lstrip("/")
    if base is not None:
        rest = url.split("://", 1)[1]
        url = base + (rest[rest.index("/"):] if "/" in rest else "/")
    headers = [(k, v) for k, v in example.headers if k not in ("content-length", "host", "content-type")]
    headers = [(k, v) for k, v in headers if v.isascii() and v.isprintable()]
    content = json.dumps(example.body).encode() if example.body is not None else b""
    if content:
        headers.append(("content-type", "application/json"))
    key = (example.method, (example.prefix + example.path).lower(), example.query, json.dumps(example.body))
    if pinned:
        with mock.use(example.source):
            response = client.request(example.method, url, headers=headers, content=content)
    else:
        response = client.request(example.method, url, headers=headers, content=content)
    if documented(example, response):
        correct += 1
    elif key in seen:
        duplicates.append([example.source, seen[key]])
    else:
        misses.append([example.source, response.status_code, response.text[:300]])
    seen.setdefault(key, example.source)
print(json.dumps({"total": len(mock.examples), "correct": correct, "misses": misses, "duplicates": duplicates}))
"""


def _drive(out: Path, package: str, mode: str, pinned: bool = False) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, package, mode, "pinned" if pinned else "matched"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def mockdocs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mockdocs") / "project"
    shutil.copytree(MOCKDOCS, root, ignore=shutil.ignore_patterns("client"))
    result = run_docgen("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "client"


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CORPUS / "api-reference").is_dir():
        pytest.skip("../shared/corpus is not present")
    out = tmp_path_factory.mktemp("corpus-mock") / "out"
    result = run_docgen("build", "--input", CORPUS, "--output", out)
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def _server(out: Path, package: str) -> Iterator[str]:
    """`python -m <package>.testing --port 0`, started here; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", f"{package}.testing", "--port", "0"],
        cwd=out,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = re.search(r"on (http://127\.0\.0\.1:\d+)$", line.strip())
        assert match, line + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def mockdocs_server(mockdocs: Path) -> Iterator[str]:
    yield from _server(mockdocs, "mockgraph")


# ---------------------------------------------------------------------- our own pages


def test_every_example_is_in_the_data_file_as_json(mockdocs: Path) -> None:
    text = (mockdocs / "mockgraph" / "_examples.txt").read_text(encoding="utf-8")
    header, document = text.split("\n", 1)
    assert header.startswith("# Code generated by docgen from pages. DO NOT EDIT.")
    data = json.loads(document)
    assert data["format"] == "docgen-mock" and data["version"] == 1
    assert len(data["examples"]) == 6  # every documented request with a response
    create = next(e for e in data["examples"] if e["name"] == "create_widget")
    assert create["body"] == {"displayName": 'Green "quoted" widget \\ """', "size": 5}
    assert create["prefix"] == "/v1.0" and create["path"] == "/shelves/s1/widgets"
    assert "_examples.txt" in (mockdocs / "pyproject.toml").read_text(encoding="utf-8")  # shipped as package data


def test_mock_answers_every_documented_request_through_httpx_mocktransport(mockdocs: Path) -> None:
    counts = _drive(mockdocs, "mockgraph", "transport")
    # the two `GET /items/i1` pages document one request with two responses: the first answers
    assert counts["total"] == 6 and counts["correct"] == 5, counts
    assert counts["misses"] == [] and len(counts["duplicates"]) == 1, counts
    pinned = _drive(mockdocs, "mockgraph", "transport", pinned=True)
    assert pinned["correct"] == 6, pinned


def test_mock_over_a_real_http_server(mockdocs: Path, mockdocs_server: str) -> None:
    counts = _drive(mockdocs, "mockgraph", mockdocs_server)
    assert counts["total"] == 6 and counts["correct"] == 5 and counts["misses"] == [], counts
    with httpx.Client(base_url=mockdocs_server) as http:
        # case-insensitive segments, `$` names in any case, a placeholder takes any segment
        listed = http.get("/v1.0/WIDGETS", params={"$TOP": "1"})
        assert listed.status_code == 200 and [w["id"] for w in listed.json()["value"]] == ["w1"]
        assert len(http.get("/v1.0/widgets").json()["value"]) == 2
        assert http.get("/v1.0/widgets/anything").json()["id"] == "w1"
        assert http.get("/v1.0/shelves/s9/widgets/x").json()["id"] == "w1"  # a documented path of the operation
        missing = http.get("/v1.0/widgetz/x")
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["code"] == "ResourceNotFound"
    assert "GET /widgetz/x" in error["message"] and "closest documented path is GET /widgets/{id}" in error["message"]


def test_the_generated_client_against_the_mock_and_use(mockdocs: Path) -> None:
    script = r"""
import asyncio
from mockgraph.testing import GraphMock
from mockgraph.v1_0 import AsyncGraphClient, GraphClient
from mockgraph import NotFoundError
mock = GraphMock()
with GraphClient("token", transport=mock.transport()) as graph:
    assert [w.id for w in graph.widgets.list(top=1).items] == ["w1"]
    assert [w.display_name for w in graph.widgets.list().items] == ["Blue widget", "Red widget"]
    assert graph.widgets.get("some-id").size == 3
    assert graph.widgets.get_item("i1").display_name == "gadget"  # the first page documenting the request
    with mock.use("gizmo-get"):  # this call, that documented example (by page)
        assert graph.widgets.get_item("i1").display_name == "gizmo"
    mock.use("get_gizmo_item")  # by the example's name, until reset()
    assert graph.widgets.get_item("i1").display_name == "gizmo"
    mock.reset()
    assert graph.widgets.get_item("i1").display_name == "gadget"
    try:
        graph.request("GET", "/widgetz")
    except NotFoundError as exc:
        assert "closest documented path is GET /widgets" in exc.message, exc.message
    else:
        raise AssertionError("no 404")
    try:
        mock.use("no-such-page")
    except KeyError as exc:
        assert "no documented example is named" in str(exc)
    else:
        raise AssertionError("no KeyError")

async def main():
    async with AsyncGraphClient("token", transport=mock.transport()) as graph:
        created = await graph.widgets.create("s1", {"displayName": "x", "size": 5})
        assert created.id == "w3"

asyncio.run(main())
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=mockdocs, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]


def test_generated_mock_and_usage_tests_pass_and_each_snippet_is_run(mockdocs: Path, tmp_path: Path) -> None:
    # each of the 4 methods has an example (gadget-get.md and gizmo-get.md are one method, DG140)
    assert _every_snippet_has_its_test(mockdocs, "mockgraph") == 4
    result = run_pytest(mockdocs, "-k", "_mock or _usage", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\b20 passed\b", result.stdout), result.stdout[-500:]  # (6 examples + 4 snippets) x sync, async


def _every_snippet_has_its_test(out: Path, package: str) -> int:
    """Every docstring with a usage snippet belongs to a method whose test module runs it
    (`support.run_usage` with that method's name). Returns how many methods have one."""
    with_snippet: set[tuple[str, str, str]] = set()
    for module in (out / package).rglob("operations/*.py"):
        text = module.read_text(encoding="utf-8")
        version = module.parent.parent.name if module.parent.parent.name != package else ""
        for name, body in re.findall(r"\n    def (?!__init__)(\w+)\((.*?)\n        # from ", text, re.DOTALL):
            if "Usage (the documented example at" in body:
                with_snippet.add((version, module.stem, name))
    tested: set[tuple[str, str, str]] = set()
    for test in (out / "tests").glob("test_*.py"):
        text = test.read_text(encoding="utf-8")
        version = re.search(rf"from {package}(?:\.(\w+))? import AsyncGraphClient", text)
        group = re.search(rf"from {package}(?:\.\w+)?\.operations\.(\w+) import", text)
        for name in re.findall(r"support\.run_usage\(\s*resource\.(\w+),", text):
            assert group, test
            tested.add((version.group(1) or "" if version else "", group.group(1), name))
    assert with_snippet and with_snippet == tested, (
        sorted(with_snippet - tested)[:5],
        sorted(tested - with_snippet)[:5],
    )
    return len(with_snippet)


# ---------------------------------------------------------------------- the corpus sample


def test_corpus_mock_answers_every_documented_request(corpus_out: Path) -> None:
    """Every documented example request with a response is answered with its documented
    response; a miss only where pages document one request with several responses."""
    counts = _drive(corpus_out, "graph_client", "transport")
    print(
        f"\nmock (httpx.MockTransport): {counts['correct']} of {counts['total']} documented example requests "
        f"answered with their documented response; {len(counts['duplicates'])} documented identically by "
        "an earlier example with another response"
    )
    assert counts["total"] >= 360 and counts["misses"] == [], counts["misses"][:5]
    assert counts["correct"] + len(counts["duplicates"]) == counts["total"]
    pinned = _drive(corpus_out, "graph_client", "transport", pinned=True)
    assert pinned["correct"] == pinned["total"], (pinned["misses"] + pinned["duplicates"])[:5]


def test_corpus_mock_over_a_real_http_server(corpus_out: Path) -> None:
    for base in _server(corpus_out, "graph_client"):
        counts = _drive(corpus_out, "graph_client", base)
        assert counts["misses"] == [] and counts["correct"] + len(counts["duplicates"]) == counts["total"], counts


def test_corpus_generated_client_against_the_mock(corpus_out: Path, tmp_path: Path) -> None:
    """The generated `*_mock` tests (each example's call through the generated client, answered
    by the mock) and `*_usage` tests (each docstring snippet run against it) pass."""
    methods = _every_snippet_has_its_test(corpus_out, "graph_client")
    result = run_pytest(corpus_out, "-k", "_mock or _usage", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    examples = sum(
        len(re.findall(r"\ndef test_\w+_mock\(", p.read_text())) for p in (corpus_out / "tests").glob("*.py")
    )
    print(
        f"\ngenerated client against the mock: {examples} example calls and {methods} docstring snippets, "
        f"sync and async: {passed} passed"
    )
    assert passed >= 2 * (examples + methods)  # -k also picks tests of examples named *_usage_*


def test_readme_mock_example_runs(tmp_path: Path) -> None:
    """The README's example of the mock, run as it is against the seed's generated/ tree."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The offline mock", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "generated", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "closest documented path is POST /deviceManagement/cartToClassAssociations" in result.stdout
