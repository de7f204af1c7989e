"""The Graph task helpers of the generated SDK, from the outside: a client generated from this
file's pages, used against a fake Graph that enforces each protocol (JSON batches of at most 20
requests with ids, dependsOn and per-item 429s; upload sessions with Content-Range, 320 KiB
chunks, nextExpectedRanges, resume and cancel, no token sent to the uploadUrl; 202 Accepted and a
monitor URL polled no sooner than Retry-After allows; delta pages, deltaLinks and resuming from
one). The same fake answers over a real HTTP server on 127.0.0.1 and through httpx.MockTransport.
"""

from __future__ import annotations

import asyncio
import base64
import http.server
import importlib
import inspect
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.output import diff_tree, read_tree, write_tree
from docgen.pipeline import generate

PACKAGE = "tasks_client"
UNIT = 320 * 1024
TOKEN = "tasks-token"


pytestmark = pytest.mark.usefixtures("no_docgen_cache")


def _op(title: str, method: str, path: str, response: str, extra: str = "", examples: str = "") -> str:
    return (
        f"# {title}\n\nNamespace: microsoft.graph\n\n"
        f"## HTTP request\n\n```http\n{method} {path}\n```\n{extra}\n## Response\n\n"
        f"If successful, this method returns {response}.\n" + (f"\n## Examples\n\n{examples}" if examples else "")
    )


def _table(*rows: str) -> str:
    return "## Properties\n\n|Property|Type|Description|\n|:---|:---|:---|\n" + "".join(f"|{r}|\n" for r in rows)


PAGES = {
    "widget.md": "# widget resource type\n\nNamespace: microsoft.graph\n\n"
    + _table("id|String|The id. Read-only.", "displayName|String|The name.", "size|Int32|The size."),
    "uploadSession.md": "# uploadSession resource type\n\nNamespace: microsoft.graph\n\n"
    + _table(
        "uploadUrl|String|Where to send the bytes.",
        "expirationDateTime|DateTimeOffset|When the session expires.",
        "nextExpectedRanges|String collection|The ranges still missing.",
    ),
    "widget-get.md": _op(
        "Get widget", "GET", "/widgets/{id}", "a `200 OK` response code and a [widget](widget.md) object"
    ),
    "widget-create.md": _op(
        "Create widget",
        "POST",
        "/widgets",
        "a `201 Created` response code and a [widget](widget.md) object",
        "\n## Request body\n\nSupply a [widget](widget.md) object.\n",
    ),
    "widget-delete.md": _op("Delete widget", "DELETE", "/widgets/{id}", "a `204 No Content` response code"),
    "widget-delta.md": _op(
        "widget: delta",
        "GET",
        "/widgets/delta()",
        "a `200 OK` response code and a collection of [widget](widget.md) objects",
        examples="### Request\n\n```http\nGET https://graph.microsoft.com/v1.0/widgets/delta()\n```\n\n"
        "### Response\n\n```http\nHTTP/1.1 200 OK\nContent-type: application/json\n\n"
        '{"value": [{"id": "w1", "displayName": "One"}], '
        '"@odata.deltaLink": "https://graph.microsoft.com/v1.0/widgets/delta?$deltatoken=abc"}\n```\n',
    ),
    "widget-copy.md": _op(
        "Copy widget",
        "POST",
        "/widgets/{id}/copy",
        "a `202 Accepted` response code and a Location header with the URL of a monitor for the copy",
        "\n## Request body\n\n|Parameter|Type|Description|\n|:---|:---|:---|\n|name|String|The copy's name.|\n",
        examples="### Request\n\n```http\nPOST https://graph.microsoft.com/v1.0/widgets/{id}/copy\n"
        'Content-type: application/json\n\n{"name": "Copy of one"}\n```\n\n'
        "### Response\n\n```http\nHTTP/1.1 202 Accepted\n"
        "Location: https://graph.microsoft.com/v1.0/monitor/copy-1\n```\n",
    ),
    "widget-upload.md": _op(
        "Upload widget content",
        "PUT",
        "/widgets/{id}/content",
        "a `204 No Content` response code",
        "\n## Request headers\n\n|Name|Description|\n|:---|:---|\n|Content-Type|text/plain. Required.|\n",
    ),
    "widget-download.md": _op(
        "Get widget content", "GET", "/widgets/{id}/content/$value", "a `200 OK` response code and the bytes"
    ),
    "widget-reject.md": _op(
        "Reject widget", "POST", "/widgets/{id}/reject", "a `202 Accepted` response code and no response body"
    ),
    "widget-createuploadsession.md": _op(
        "widget: createUploadSession",
        "POST",
        "/widgets/{id}/createUploadSession",
        "a `200 OK` response code and an [uploadSession](uploadSession.md) object",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Sink]:
    root = tmp_path_factory.mktemp("tasks")
    docs = root / "docs"
    docs.mkdir()
    (docs / "v1.0").mkdir()
    for name, text in PAGES.items():
        (docs / "v1.0" / name).write_text(text, encoding="utf-8")
    sink = Sink()
    config = Config(input=docs, output=root / "out", package=PACKAGE)
    files = generate(config, sink).files
    assert not sink.failed(False), [d.format() for d in sink.items]
    out = root / "out"
    write_tree(out, files, diff_tree(files, read_tree(out)))
    return out, sink


class _SDK:
    """The package's names, with the clients and models of its API version (`tasks_client.v1_0`)."""

    def __init__(self, root: Any, version: Any) -> None:
        self.root, self.version = root, version

    def __getattr__(self, name: str) -> Any:
        return getattr(self.version if name in ("GraphClient", "AsyncGraphClient", "models") else self.root, name)


@pytest.fixture(scope="module")
def sdk(built: tuple[Path, Sink]):
    out = str(built[0])
    sys.path.insert(0, out)
    try:
        yield _SDK(importlib.import_module(PACKAGE), importlib.import_module(f"{PACKAGE}.v1_0"))
    finally:
        sys.path.remove(out)
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


# ---- the fake Graph: one protocol-enforcing service behind both transports ------------------------


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON value, bytes, or None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, bytes):
            return self.body, headers
        if self.body is None:
            return b"", headers
        headers.setdefault("Content-Type", "application/json")
        return json.dumps(self.body).encode(), headers


def _error(status: int, code: str, message: str = "", **headers: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message or code}}, headers)


class FakeGraph:
    """Widgets, $batch, upload sessions, copy operations and delta, enforcing each protocol:
    a request that breaks one is answered 400 and recorded in `violations`."""

    def __init__(self, origin: str) -> None:
        self.origin = origin  # scheme://host:port
        self.widgets: dict[str, dict[str, Any]] = {"w1": {"id": "w1", "displayName": "One", "size": 1}}
        self.violations: list[str] = []
        self.batch_sizes: list[int] = []
        self.throttled: dict[str, int] = {}  # widget id -> 429s still to give
        self.throttled_at: dict[str, float] = {}  # widget id -> when it was last answered 429
        self.sessions: dict[str, dict[str, Any]] = {}
        self.chunk_sizes: list[int] = []
        self.fail_chunk_at: set[int] = set()  # offsets whose first PUT fails with 500
        self.operations: dict[str, dict[str, Any]] = {}
        self.polls: list[float] = []
        self.retry_after = 0.05
        self.log: list[tuple[str, str, str | None]] = []  # method, path?query, Authorization
        self.lock = threading.Lock()

    def refuse(self, message: str) -> Answer:
        self.violations.append(message)
        return _error(400, "BadRequest", message)

    # -- dispatch

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.log.append((method, target, headers.get("authorization")))
            parts = urlsplit(target)
            path, query = parts.path, parse_qs(parts.query)
            if path.startswith("/upload/"):
                return self.upload(method, path.removeprefix("/upload/"), headers, body)
            if headers.get("authorization") != f"Bearer {TOKEN}":
                return _error(401, "InvalidAuthenticationToken")
            if path == "/v1.0/$batch" and method == "POST":
                return self.batch(headers, body)
            return self.api(method, path.removeprefix("/v1.0"), query, headers, body)

    def api(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes) -> Answer:
        segments = path.strip("/").split("/")
        if segments == ["widgets"] and method == "POST":
            if "json" not in headers.get("content-type", ""):
                return self.refuse("a JSON body without Content-Type")
            data = json.loads(body)
            new = {"id": f"w{len(self.widgets) + 1}", **data}
            self.widgets[new["id"]] = new
            return Answer(201, new)
        if segments in (["widgets", "delta"], ["widgets", "delta()"]) and method == "GET":
            return self.delta(query)
        if segments[:1] == ["monitor"] and method == "GET":
            return self.monitor(segments[1])
        if len(segments) >= 2 and segments[0] == "widgets":
            key = segments[1]
            if key in self.throttled_at and time.monotonic() - self.throttled_at.pop(key) < 0.09:
                self.violations.append(f"{key} asked again before its Retry-After")
            if self.throttled.get(key):
                self.throttled[key] -= 1
                self.throttled_at[key] = time.monotonic()
                return _error(429, "TooManyRequests", Retry_After="0.1")
            if key not in self.widgets:
                return _error(404, "itemNotFound", f"no widget {key}")
            if len(segments) == 2 and method == "GET":
                return Answer(200, self.widgets[key])
            if len(segments) == 2 and method == "DELETE":
                del self.widgets[key]
                return Answer(204)
            if segments[2:] == ["content"] and method == "PUT":
                self.widgets[key]["content"] = body
                self.widgets[key]["content_type"] = headers.get("content-type", "")
                return Answer(204)
            if segments[2:] == ["content", "$value"] and method == "GET":
                kind = self.widgets[key].get("content_type") or "application/octet-stream"
                return Answer(200, self.widgets[key].get("content", b""), {"Content-Type": kind})
            if segments[2:] == ["copy"] and method == "POST":
                op = f"copy-{len(self.operations) + 1}"
                self.operations[op] = {"polls": 0, "name": json.loads(body).get("name"), "source": key}
                self.polls.append(time.monotonic())
                headers = {"Location": f"{self.origin}/v1.0/monitor/{op}", "Retry-After": str(self.retry_after)}
                return Answer(202, None, headers)
            if segments[2:] == ["createUploadSession"] and method == "POST":
                session = f"s{len(self.sessions) + 1}"
                self.sessions[session] = {"received": 0, "size": None, "data": bytearray(), "widget": key}
                return Answer(200, {"uploadUrl": f"{self.origin}/upload/{session}", "nextExpectedRanges": ["0-"]})
        return _error(404, "itemNotFound", f"{method} {path}")

    # -- $batch

    def batch(self, headers: dict[str, str], body: bytes) -> Answer:
        if "json" not in headers.get("content-type", ""):
            return self.refuse("$batch without a JSON Content-Type")
        data = json.loads(body)
        requests = data.get("requests") if isinstance(data, dict) else None
        if not isinstance(requests, list) or not requests:
            return self.refuse("$batch body is not {'requests': [...]}")
        if len(requests) > 20:
            return self.refuse(f"$batch of {len(requests)} requests (at most 20)")
        ids = [r.get("id") for r in requests]
        if not all(isinstance(i, str) and i for i in ids) or len(set(ids)) != len(ids):
            return self.refuse(f"$batch ids must be unique strings: {ids}")
        self.batch_sizes.append(len(requests))
        for r in requests:
            if set(r) - {"id", "method", "url", "headers", "body", "dependsOn"} or not str(r.get("url", "")).startswith(
                "/"
            ):
                return self.refuse(f"bad batch request {r}")
            if "body" in r and not any(k.lower() == "content-type" for k in r.get("headers", {})):
                return self.refuse("a batch request body without Content-Type")
            if any(k.lower() == "authorization" for k in r.get("headers", {})):
                return self.refuse("Authorization inside a batch request")
            for dependency in r.get("dependsOn", []):
                if dependency not in ids:
                    return self.refuse(f"dependsOn {dependency!r} is not in this batch")
        statuses: dict[str, int] = {}
        responses = []
        for r in requests:  # in order; a dependent request runs only after its dependencies succeeded
            if any(not 200 <= statuses.get(d, 0) < 300 for d in r.get("dependsOn", [])):
                answer = _error(424, "FailedDependency")
            else:
                url = urlsplit(r["url"])
                inner_headers = {k.lower(): v for k, v in r.get("headers", {}).items()}
                inner_body = _batch_body(r.get("body"), inner_headers.get("content-type", ""))
                answer = self.api(r["method"], url.path, parse_qs(url.query), inner_headers, inner_body)
            statuses[r["id"]] = answer.status
            item: dict[str, Any] = {"id": r["id"], "status": answer.status}
            if answer.headers or answer.body is not None:
                item["headers"] = {k.replace("_", "-"): v for k, v in answer.headers.items()}
            if isinstance(answer.body, bytes):  # text/* as the string, anything else base64
                kind = answer.headers.get("Content-Type", "")
                text = kind.startswith("text/")
                item["body"] = answer.body.decode() if text else base64.b64encode(answer.body).decode()
            elif answer.body is not None:
                item["headers"].setdefault("Content-Type", "application/json")
                item["body"] = answer.body
            responses.append(item)
        return Answer(200, {"responses": list(reversed(responses))})  # any order: matched by id

    # -- upload sessions

    def upload(self, method: str, session_id: str, headers: dict[str, str], body: bytes) -> Answer:
        if headers.get("authorization"):
            return self.refuse("the Authorization header was sent to the uploadUrl")
        session = self.sessions.get(session_id)
        if session is None:
            return _error(404, "itemNotFound", "no such upload session")
        if method == "DELETE":
            del self.sessions[session_id]
            return Answer(204)
        if method == "GET":
            return Answer(200, {"nextExpectedRanges": [f"{session['received']}-"]})
        if method != "PUT":
            return self.refuse(f"{method} to an uploadUrl")
        content_range = headers.get("content-range", "")
        try:
            unit, _, spec = content_range.partition(" ")
            span, _, total_text = spec.partition("/")
            first, _, last = span.partition("-")
            start, end, total = int(first), int(last), int(total_text)
        except ValueError:
            return self.refuse(f"bad Content-Range {content_range!r}")
        if unit != "bytes" or int(headers.get("content-length", -1)) != len(body) or end - start + 1 != len(body):
            return self.refuse(f"Content-Range {content_range!r} does not match the {len(body)} bytes sent")
        if session["size"] not in (None, total):
            return self.refuse("the total size changed")
        session["size"] = total
        if start != session["received"]:
            return _error(416, "invalidRange", f"expected {session['received']}, got {start}")
        last_chunk = end + 1 == total
        if len(body) % UNIT and not last_chunk:
            return self.refuse(f"a chunk of {len(body)} bytes is not a multiple of 320 KiB")
        if start in self.fail_chunk_at:
            self.fail_chunk_at.discard(start)
            return _error(500, "serviceNotAvailable")  # dropped: the client must ask where it stands
        self.chunk_sizes.append(len(body))
        session["data"] += body
        session["received"] = end + 1
        if last_chunk:
            item = {"id": f"file-{session_id}", "displayName": "upload", "size": total}
            return Answer(201, item)
        return Answer(202, {"nextExpectedRanges": [f"{end + 1}-"], "expirationDateTime": "2030-01-01T00:00:00Z"})

    # -- long-running operations

    def monitor(self, op_id: str) -> Answer:
        op = self.operations.get(op_id)
        if op is None:
            return _error(404, "itemNotFound")
        now = time.monotonic()
        if now - self.polls[-1] < self.retry_after * 0.9:
            self.violations.append(f"polled {now - self.polls[-1]:.3f} s after the last answer (Retry-After)")
        self.polls.append(now)
        op["polls"] += 1
        if op["name"] == "doomed" and op["polls"] >= 2:
            return Answer(200, {"status": "failed", "error": {"code": "copyFailed", "message": "disk full"}})
        if op["polls"] < 3:
            body = {"status": "inProgress", "percentageComplete": 30.0 * op["polls"]}
            return Answer(200, body, {"Retry-After": str(self.retry_after)})
        new = {"id": f"w{len(self.widgets) + 1}", "displayName": op["name"]}
        self.widgets[new["id"]] = new
        return Answer(200, {"status": "completed", "percentageComplete": 100.0, "resourceId": new["id"]})

    # -- delta

    def delta(self, query: dict[str, list[str]]) -> Answer:
        base = f"{self.origin}/v1.0/widgets/delta"
        if "$deltatoken" in query:
            if query["$deltatoken"] != ["round-1"]:
                return _error(410, "resyncRequired", "unknown delta token")
            changes = [{"id": "w1", "displayName": "One, renamed"}, {"id": "w9", "@removed": {"reason": "deleted"}}]
            return Answer(200, {"value": changes, "@odata.deltaLink": f"{base}?$deltatoken=round-2"})
        skip = query.get("$skiptoken", ["0"])[0]
        pages = [[{"id": f"w{i}", "displayName": f"W{i}"} for i in range(n, n + 3)] for n in (1, 4, 7)]
        if skip not in ("0", "1", "2"):
            return self.refuse(f"unknown skiptoken {skip}")
        number = int(skip)
        body: dict[str, Any] = {"value": pages[number]}
        if number < 2:
            body["@odata.nextLink"] = f"{base}?$skiptoken={number + 1}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken=round-1"
        return Answer(200, body)


def _batch_body(body: Any, content_type: str) -> bytes:
    """A batch request's body as the service reads it (OData JSON batch format)."""
    if body is None:
        return b""
    if "json" in content_type:
        return json.dumps(body).encode()
    if not isinstance(body, str):
        raise ValueError(f"a {content_type} body in a batch must be a string")
    return body.encode() if content_type.startswith("text/") else base64.b64decode(body, validate=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    graph: FakeGraph

    def log_message(self, *args: object) -> None:
        pass

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.graph.handle(self.command, self.path, headers, body)
        content, extra = answer.encoded()
        self.send_response(answer.status)
        for name, value in {"Content-Length": str(len(content)), **extra}.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


@dataclass
class Graph:
    """A fake Graph reachable at `base_url` through `transport` (None: the real socket)."""

    fake: FakeGraph
    base_url: str
    transport: httpx.MockTransport | None
    async_transport: httpx.MockTransport | None

    def client(self, sdk: Any, **options: Any) -> Any:
        return sdk.GraphClient(TOKEN, base_url=self.base_url, transport=self.transport, **options)

    def async_client(self, sdk: Any, **options: Any) -> Any:
        return sdk.AsyncGraphClient(TOKEN, base_url=self.base_url, transport=self.async_transport, **options)


def _mock(fake: FakeGraph) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = fake.handle(request.method, target, headers, request.read())
        content, extra = answer.encoded()
        return httpx.Response(
            answer.status, content=content, headers={k.replace("_", "-"): v for k, v in extra.items()}
        )

    return httpx.MockTransport(handler)


@pytest.fixture(params=["server", "mock"])
def graph(request: pytest.FixtureRequest) -> Iterator[Graph]:
    if request.param == "mock":
        fake = FakeGraph("https://graph.test")
        transport = _mock(fake)
        yield Graph(fake, "https://graph.test/v1.0", transport, transport)
        assert not fake.violations, fake.violations
        return
    fake = FakeGraph("")
    handler = type("Handler", (_Handler,), {"graph": fake})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield Graph(fake, f"{fake.origin}/v1.0", None, None)
    finally:
        server.shutdown()
        server.server_close()
    assert not fake.violations, fake.violations


# ---- the plan: what the pages say decides the helpers ----------------------------------------------


def test_the_plan_gives_operation_and_delta_methods_and_notes_the_ambiguous(built, sdk) -> None:
    out, sink = built
    codes = {(d.code, Path(d.path).name) for d in sink.items if d.code.startswith("DG32")}
    assert codes == {("DG320", "widget-reject.md")}  # 202 without a monitor header: returns as documented
    widgets = importlib.import_module(sdk.GraphClient.__module__.rsplit(".", 1)[0] + ".operations.widgets")
    assert widgets.Widgets.copy.__annotations__["return"] == "_tk.Operation"
    assert widgets.AsyncWidgets.copy.__annotations__["return"] == "_tk.AsyncOperation"
    assert widgets.Widgets.delta.__annotations__["return"] == "_tk.DeltaPager[Widget]"
    assert widgets.Widgets.reject.__annotations__["return"] == "_t.Any"
    assert "delta_link" in inspect.signature(widgets.Widgets.delta).parameters
    assert "delta_link" not in inspect.signature(widgets.Widgets.get).parameters


def test_the_generated_example_tests_pass(built) -> None:
    out, _ = built
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(out / "tests")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


USER_CODE = """
import io
from tasks_client import BatchItem, Operation, OperationStatus
from tasks_client.v1_0 import GraphClient
from tasks_client.v1_0.models import UploadSession, Widget


def use(graph: GraphClient) -> None:
    with graph.batch() as batch:
        one: BatchItem[Widget] = batch.add(graph.widgets.get, "w1")
        made = batch.add(graph.widgets.create, Widget(display_name="x"))
        gone = batch.add_after([made], graph.widgets.delete, "w2")
    widget: Widget = one.result()
    print(widget.display_name, made.result().id, gone.result())
    session: UploadSession = graph.upload_sessions.create("w1")
    upload = graph.large_upload(session, io.BytesIO(b"x"), cast_to=Widget, progress=lambda done, size: None)
    item: Widget = upload.upload()
    operation: Operation = graph.widgets.copy("w1", name="copy")
    status: OperationStatus = operation.wait(timeout=10)
    changes = graph.widgets.delta()
    names: list[str | None] = [w.display_name for w in changes]
    link: str | None = changes.delta_link
    again = graph.widgets.delta(delta_link=link)
    print(item.id, status.resource_id, names, again.delta_token)
"""


README = Path(__file__).resolve().parent.parent / "README.md"


def readme_examples() -> list[str]:
    """The python blocks of the README's "Task helpers" section, importing this file's SDK."""
    section = README.read_text(encoding="utf-8").split("\n## Task helpers\n", 1)[1].split("\n## ", 1)[0]
    blocks = [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]
    assert len(blocks) == 4, "one runnable example per helper"
    header = f"from {PACKAGE}.v1_0 import GraphClient\n\n\ndef get_token() -> str:\n    return {TOKEN!r}\n\n\n"
    result = []
    for block in blocks:
        lines = []
        for line in block.splitlines():
            if line.startswith("from graph_client import "):
                names = [n.strip() for n in line.removeprefix("from graph_client import ").split(",")]
                names = [n for n in names if n != "GraphClient"]
                line = f"from {PACKAGE} import {', '.join(names)}" if names else ""
            lines.append(line.replace("from graph_client.models", f"from {PACKAGE}.v1_0.models"))
        result.append(header + "\n".join(lines) + "\n")
    return result


def test_the_readme_examples_run(sdk, graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each helper's README example, as it is, against the fake Graph (clients pointed at it)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.bin").write_bytes(os.urandom(UNIT + 5))
    graph.fake.widgets["w0"] = {"id": "w0", "displayName": "Old"}
    version = sdk.version
    original = version.GraphClient.__init__

    def pointed(self: Any, token: Any, **options: Any) -> None:
        options.setdefault("base_url", graph.base_url)
        options.setdefault("transport", graph.transport)
        original(self, token, **options)

    monkeypatch.setattr(version.GraphClient, "__init__", pointed)
    for example in readme_examples():
        exec(compile(example, "README.md", "exec"), {"__name__": "readme_example"})
    assert graph.fake.batch_sizes == [3] and "w0" not in graph.fake.widgets
    assert graph.fake.chunk_sizes == [UNIT + 5]
    assert graph.fake.operations["copy-1"]["polls"] == 3
    assert [log for log in graph.fake.log if "deltatoken=round-1" in log[1]]


def test_user_code_with_the_helpers_passes_mypy_strict(built, tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    out, _ = built
    (tmp_path / "user_code.py").write_text(USER_CODE, encoding="utf-8")
    for number, example in enumerate(readme_examples()):
        (tmp_path / f"readme_{number}.py").write_text(example, encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(out)}
    args = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull]
    result = subprocess.run(
        [*args, "user_code.py", *(f"readme_{n}.py" for n in range(4)), str(out / PACKAGE)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---- 1. batching -----------------------------------------------------------------------------------


def test_batch_sends_calls_in_json_batches_with_typed_results_and_errors(sdk, graph: Graph) -> None:
    with graph.client(sdk) as client:
        with client.batch() as batch:
            one = batch.add(client.widgets.get, "w1")
            missing = batch.add(client.widgets.get, "nope")
            made = batch.add(client.widgets.create, sdk.models.Widget(display_name="New", size=3))
            gone = batch.add(client.widgets.delete, "w1")
            changes = batch.add(client.widgets.delta)
            assert not one.done
            with pytest.raises(RuntimeError, match="not been sent"):
                one.result()
        assert graph.fake.batch_sizes == [5]
        # a pager from a batch pages on its own afterwards, as the method's pager does
        assert isinstance(changes.result(), sdk.DeltaPager)
        assert [w.id for w in changes.result()] == [f"w{i}" for i in range(1, 10)]
        assert changes.result().delta_token == "round-1"
        widget = one.result()
        assert isinstance(widget, sdk.models.Widget) and widget.display_name == "One"
        assert isinstance(made.result(), sdk.models.Widget) and made.result().size == 3
        assert gone.result() is None and gone.status_code == 204
        assert isinstance(missing.error, sdk.NotFoundError)
        with pytest.raises(sdk.NotFoundError) as caught:
            missing.result()
        assert caught.value.code == "itemNotFound" and caught.value.message == "no widget nope"
    # every call went inside the batch, none on its own (the pager's later pages come after)
    assert [(m, t) for m, t, _ in graph.fake.log][0] == ("POST", "/v1.0/$batch")
    assert all("skiptoken" in t for _, t, _ in graph.fake.log[1:]) and len(graph.fake.log) == 3


def test_batch_carries_text_and_binary_bodies_as_the_json_batch_format_says(sdk, graph: Graph) -> None:
    with graph.client(sdk) as client:
        with client.batch() as batch:
            text = batch.add(client.widgets.set_content, "w1", b"QUJD")  # text/plain: sent as the string itself
        assert text.result() is None and graph.fake.widgets["w1"]["content"] == b"QUJD"
        with client.batch() as batch:
            download = batch.add(client.widgets.get_content, "w1")
        assert download.result() == b"QUJD"  # a text/plain answer is not base64-decoded
        graph.fake.widgets["w1"].update(content=bytes(range(256)), content_type="application/octet-stream")
        with client.batch() as batch:
            binary = batch.add(client.widgets.get_content, "w1")
        assert binary.result() == bytes(range(256))  # other media types travel base64-encoded


def test_batch_splits_into_batches_of_20_keeping_depends_on_chains_together(sdk, graph: Graph) -> None:
    with graph.client(sdk) as client:
        with client.batch() as batch:
            singles = [batch.add(client.widgets.get, "w1") for _ in range(15)]
            first = batch.add(client.widgets.create, sdk.models.Widget(display_name="chain-0"))
            chain = [first]
            for n in range(1, 8):
                chain.append(
                    batch.add_after([chain[-1]], client.widgets.create, sdk.models.Widget(display_name=f"chain-{n}"))
                )
            more = [batch.add(client.widgets.get, "w1") for _ in range(20)]
        assert sum(graph.fake.batch_sizes) == 43 and max(graph.fake.batch_sizes) <= 20
        assert len(graph.fake.batch_sizes) == 3
        assert all(item.result().id == "w1" for item in singles + more)
        assert [item.result().display_name for item in chain] == [f"chain-{n}" for n in range(8)]
        # a dependency that fails makes its dependents fail with 424, typed
        with client.batch() as batch:
            bad = batch.add(client.widgets.get, "nope")
            after = batch.add_after([bad], client.widgets.delete, "w1")
        assert isinstance(bad.error, sdk.NotFoundError)
        assert isinstance(after.error, sdk.APIStatusError) and after.error.status_code == 424
        assert "w1" in graph.fake.widgets
        # a chain longer than a batch cannot be split
        batch = client.batch()
        items = [batch.add(client.widgets.get, "w1")]
        for _ in range(20):
            items.append(batch.add_after([items[-1]], client.widgets.get, "w1"))
        with pytest.raises(ValueError, match="21 calls depend on each other"):
            batch.send()


def test_batch_retries_each_throttled_item_after_retry_after(sdk, graph: Graph) -> None:
    graph.fake.throttled = {"w1": 2}
    graph.fake.widgets["w2"] = {"id": "w2", "displayName": "Two"}
    with graph.client(sdk, max_retries=2) as client:
        with client.batch() as batch:
            one = batch.add(client.widgets.get, "w1")
            two = batch.add(client.widgets.get, "w2")
        assert one.result().display_name == "One" and one.attempts == 3
        assert two.result().display_name == "Two" and two.attempts == 1
        assert graph.fake.batch_sizes == [2, 1, 1]  # only the throttled item is sent again
        graph.fake.throttled = {"w1": 5}
        with client.batch() as batch:
            throttled = batch.add(client.widgets.get, "w1")
        assert isinstance(throttled.error, sdk.RateLimitError) and throttled.error.retry_after == 0.1
        graph.fake.throttled_at.clear()
        # a call no batch can carry (another host) fails when it is added
        with pytest.raises(ValueError, match="cannot carry"):
            client.batch().add(client.widgets.get, "w1", url="https://elsewhere.test/widgets/w1")


def test_async_batch(sdk, graph: Graph) -> None:
    async def main() -> None:
        async with graph.async_client(sdk) as client:
            async with client.batch() as batch:
                items = [batch.add(client.widgets.get, "w1") for _ in range(25)]
                missing = batch.add(client.widgets.get, "nope")
                made = batch.add_after([missing], client.widgets.create, sdk.models.Widget(display_name="x"))
            assert all(i.result().display_name == "One" for i in items)
            assert isinstance(missing.error, sdk.NotFoundError)
            assert made.status_code == 424

    asyncio.run(main())
    assert sorted(graph.fake.batch_sizes) == [7, 20]


# ---- 2. large uploads ------------------------------------------------------------------------------


class CountingFile(io.BytesIO):
    """A file that records the largest read: the upload never reads it whole."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def test_large_upload_sends_chunks_with_content_range_and_resumes(sdk, graph: Graph) -> None:
    content = os.urandom(5 * UNIT + 1234)
    file = CountingFile(content)
    progress: list[tuple[int, int]] = []
    graph.fake.fail_chunk_at = {2 * UNIT}  # the third chunk is dropped once
    with graph.client(sdk) as client:
        session = client.upload_sessions.create("w1")
        assert isinstance(session, sdk.models.UploadSession)
        upload = client.large_upload(
            session, file, chunk_size=2 * UNIT, cast_to=sdk.models.Widget, progress=lambda d, s: progress.append((d, s))
        )
        item = upload.upload()
    assert isinstance(item, sdk.models.Widget) and item.size == len(content)
    assert bytes(graph.fake.sessions["s1"]["data"]) == content
    assert graph.fake.chunk_sizes == [2 * UNIT, 2 * UNIT, UNIT + 1234]
    assert progress == [(2 * UNIT, len(content)), (4 * UNIT, len(content)), (len(content), len(content))]
    assert file.largest == 2 * UNIT
    uploads = [(m, auth) for m, t, auth in graph.fake.log if t.startswith("/upload/")]
    assert ("GET", None) in uploads  # asked where the session stood after the failure
    assert all(auth is None for _, auth in uploads)


def test_large_upload_resumes_a_saved_session_and_cancels(sdk, graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    content = os.urandom(3 * UNIT + 10)
    path.write_bytes(content)
    with graph.client(sdk, max_retries=0) as client:
        url = client.upload_sessions.create("w1").upload_url
        graph.fake.fail_chunk_at = {UNIT}
        with path.open("rb") as file, pytest.raises(sdk.InternalServerError):
            client.large_upload(url, file, chunk_size=UNIT).upload()
        # later, from the saved uploadUrl: only the missing bytes are sent
        with path.open("rb") as file:
            upload = client.large_upload(url, file, chunk_size=UNIT)
            assert upload.status() == (UNIT, len(content))
            result = upload.resume()
        assert result == {"id": "file-s1", "displayName": "upload", "size": len(content)}
        assert bytes(graph.fake.sessions["s1"]["data"]) == content
        with pytest.raises(ValueError, match="multiple of 327680"):
            client.large_upload(url, io.BytesIO(b"x"), chunk_size=UNIT + 1)
        other = client.upload_sessions.create("w1")
        upload = client.large_upload(other, io.BytesIO(content), chunk_size=UNIT)
        upload.cancel()
        assert "s2" not in graph.fake.sessions
        with pytest.raises(RuntimeError, match="cancelled"):
            upload.upload()


def test_async_large_upload(sdk, graph: Graph) -> None:
    content = os.urandom(2 * UNIT + 7)

    async def main() -> Any:
        async with graph.async_client(sdk) as client:
            session = await client.upload_sessions.create("w1")
            return await client.large_upload(session, io.BytesIO(content), chunk_size=UNIT).upload()

    assert asyncio.run(main())["size"] == len(content)
    assert graph.fake.chunk_sizes == [UNIT, UNIT, 7]


# ---- 3. long-running operations --------------------------------------------------------------------


def test_operation_waits_for_the_monitor_url_honouring_retry_after(sdk, graph: Graph) -> None:
    with graph.client(sdk) as client:
        operation = client.widgets.copy("w1", name="Copy of one")
        assert isinstance(operation, sdk.Operation) and operation.status_code == 202
        assert operation.monitor_url == f"{graph.fake.origin}/v1.0/monitor/copy-1"
        assert not operation.done
        status = operation.wait(timeout=10)
        assert status.succeeded and status.resource_id == "w2" and status.percentage_complete == 100.0
        assert operation.done and graph.fake.widgets["w2"]["displayName"] == "Copy of one"
        assert graph.fake.operations["copy-1"]["polls"] == 3
        # a failed operation raises, with its status
        with pytest.raises(sdk.OperationFailedError, match="disk full") as caught:
            client.widgets.copy("w1", name="doomed").wait(timeout=10)
        assert caught.value.status.error == {"code": "copyFailed", "message": "disk full"}
        # a timeout raises rather than wait past it
        graph.fake.retry_after = 5.0
        slow = client.widgets.copy("w1", name="slow")
        started = time.monotonic()
        with pytest.raises(sdk.OperationTimeoutError):
            slow.wait(timeout=0.5)
        assert time.monotonic() - started < 0.5 and slow.last is None


def test_async_operation(sdk, graph: Graph) -> None:
    async def main() -> Any:
        async with graph.async_client(sdk) as client:
            operation = await client.widgets.copy("w1", name="async copy")
            assert isinstance(operation, sdk.AsyncOperation)
            return await operation.wait(timeout=10)

    assert asyncio.run(main()).resource_id == "w2"


# ---- 4. delta --------------------------------------------------------------------------------------


def test_delta_yields_every_item_then_the_delta_link_and_resumes_from_it(sdk, graph: Graph) -> None:
    with graph.client(sdk) as client:
        changes = client.widgets.delta()
        assert isinstance(changes, sdk.DeltaPager)
        assert changes.delta_link is None  # not reached yet: the first page has a nextLink
        assert [w.id for w in changes] == [f"w{i}" for i in range(1, 10)]
        link = changes.delta_link
        assert link == f"{graph.fake.origin}/v1.0/widgets/delta?$deltatoken=round-1"
        assert changes.delta_token == "round-1"
        # later: only what changed since, including removals, and the next link to keep
        later = client.widgets.delta(delta_link=link)
        items = later.all()
        assert [(w.id, w.display_name) for w in items] == [("w1", "One, renamed"), ("w9", None)]
        assert items[1].to_dict()["@removed"] == {"reason": "deleted"}
        assert later.delta_token == "round-2"
        with pytest.raises(sdk.APIStatusError) as caught:
            client.widgets.delta(delta_link=later.delta_link)
        assert caught.value.status_code == 410


def test_async_delta(sdk, graph: Graph) -> None:
    async def main() -> tuple[list[str], str | None]:
        async with graph.async_client(sdk) as client:
            changes = await client.widgets.delta()
            ids = [w.id async for w in changes]
            again = await client.widgets.delta(delta_link=changes.delta_link)
            await again.all()
            return ids, again.delta_token

    ids, token = asyncio.run(main())
    assert ids == [f"w{i}" for i in range(1, 10)] and token == "round-2"
