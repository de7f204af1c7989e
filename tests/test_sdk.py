"""The generated SDK as its users meet it, from the outside: a client generated from this file's
pages into a temporary folder, then used as a Graph user would (create, get with select, list
and page, update, delete, upload, download, raw responses, per-call options, auth, async) over
httpx.MockTransport, and over a real HTTP server on 127.0.0.1 for redirects across origins,
streaming and Retry-After. A user-code file passes `mypy --strict` and `pyright`."""

from __future__ import annotations

import asyncio
import http.server
import importlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.output import diff_tree, read_tree, write_tree
from docgen.pipeline import generate

PACKAGE = "sdk_client"
BASE = "https://graph.microsoft.com/v1.0"


pytestmark = pytest.mark.usefixtures("no_docgen_cache")


def _op(title: str, method: str, path: str, response: str, extra: str = "") -> str:
    return (
        f"# {title}\n\nNamespace: microsoft.graph\n\n## Permissions\n\n"
        "|Permission type|Permissions (from least to most privileged)|\n|:---|:---|\n"
        "|Delegated (work or school account)|Widget.Read, Widget.ReadWrite.All|\n"
        "|Delegated (personal Microsoft account)|Not supported.|\n|Application|Widget.Read.All|\n\n"
        f"## HTTP request\n\n```http\n{method} {path}\n```\n{extra}\n## Response\n\n"
        f"If successful, this method returns {response}.\n"
    )


PAGES = {
    "widget.md": "# widget resource type\n\nNamespace: microsoft.graph\n\n## Properties\n\n"
    "|Property|Type|Description|\n|:---|:---|:---|\n|id|String|The id. Read-only.|\n"
    "|displayName|String|The name.|\n|size|Int32|The size.|\n"
    "|createdDateTime|DateTimeOffset|When it was made. Read-only.|\n|dueDateTime|DateTimeOffset|When due.|\n",
    "specialWidget.md": "# specialWidget resource type\n\nNamespace: microsoft.graph\n\n"
    "## Properties\n\n|Property|Type|Description|\n|:---|:---|:---|\n"
    "|id|String|Inherited from [widget](widget.md).|\n|power|Int32|How strong.|\n",
    "widget-get.md": _op(
        "Get widget",
        "GET",
        "/widgets/{id}",
        "a `200 OK` response code and a [widget](widget.md) object",
        "\n## Optional query parameters\n\nThis method supports the `$select` OData query parameter.\n",
    ),
    "widget-list.md": _op(
        "List widgets",
        "GET",
        "/widgets",
        "a `200 OK` response code and a collection of [widget](widget.md) objects",
        "\n## Optional query parameters\n\nThis method supports the `$count`, `$top` and `$select` OData query "
        "parameters.\n",
    ),
    "widget-create.md": _op(
        "Create widget",
        "POST",
        "/widgets",
        "a `201 Created` response code and a [widget](widget.md) object",
        "\n## Request body\n\nSupply a [widget](widget.md) object.\n",
    ),
    "widget-update.md": _op(
        "Update widget",
        "PATCH",
        "/widgets/{id}",
        "a `200 OK` response code and a [widget](widget.md) object",
        "\n## Request body\n\nSupply a [widget](widget.md) object.\n",
    ),
    "widget-delete.md": _op("Delete widget", "DELETE", "/widgets/{id}", "a `204 No Content` response code"),
    "widget-upload.md": _op(
        "Upload widget content",
        "PUT",
        "/widgets/{id}/content",
        "a `200 OK` response code",
        "\n## Request headers\n\n|Name|Description|\n|:---|:---|\n|Content-Type|text/plain. Required.|\n\n"
        "## Request body\n\nThe bytes of the file.\n",
    ),
    "widget-download.md": _op(
        "Get widget content", "GET", "/widgets/{id}/content/$value", "a `200 OK` response code and the bytes"
    ),
    "widget-report.md": _op(
        "Get widget report",
        "GET",
        "/reports/getWidgetReport(period='{period_value}')",
        "a `302 Found` response that redirects to a preauthenticated download URL for the report",
        "\n## Function parameters\n\n|Parameter|Type|Description|\n|:---|:---|:---|\n"
        "|period|string|The length of time the report covers: D7 or D30. Required.|\n",
    ),
    "widget-raw.md": _op("Get widget export", "GET", "/widgets/{id}/export", "a `200 OK` response code"),
    # permissions tables in the other two shapes Graph pages use
    "widget-archive.md": _op("Archive widget", "POST", "/widgets/{id}/archive", "a `204 No Content` response code")
    .replace("Permissions (from least to most privileged)", "Permissions (from most to least privileged)")
    .replace("Widget.Read, Widget.ReadWrite.All", "Widget.ReadWrite.All, Widget.ReadWrite, Widget.Read"),
    "widget-restore.md": _op("Restore widget", "POST", "/widgets/{id}/restore", "a `204 No Content` response code")
    .replace(
        "|Permission type|Permissions (from least to most privileged)|\n|:---|:---|\n",
        "|Permission type|Least privileged permissions|Higher privileged permissions|\n|:---|:---|:---|\n",
    )
    .replace("|Widget.Read, Widget.ReadWrite.All|", "|Widget.Read|Widget.ReadWrite, Widget.ReadWrite.All|")
    .replace("|Not supported.|", "|Not supported.|Not supported.|")
    .replace("|Widget.Read.All|", "|Widget.Read.All|Not available.|"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sdk")
    docs = root / "docs"
    docs.mkdir()
    for name, text in PAGES.items():
        (docs / name).write_text(text, encoding="utf-8")
    sink = Sink()
    config = Config(input=docs, output=root / "out", package=PACKAGE, scopes=("api://widgets/.default",))
    files = generate(config, sink).files
    assert not sink.failed(False), [d.format() for d in sink.items]
    out = root / "out"
    write_tree(out, files, diff_tree(files, read_tree(out)))
    return out


@pytest.fixture(scope="module")
def sdk(built: Path):
    sys.path.insert(0, str(built))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(built))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class Service:
    """A scripted Graph: answers by (method, path), records every request."""

    def __init__(self, routes: dict[tuple[str, str], httpx.Response | list[httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.routes.get((request.method, request.url.path), httpx.Response(404))
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        # a fresh response each time: one may be read by a sync client, then by an async one
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.read())

    def client(self, sdk, **options):
        options.setdefault("token", "tok")
        return sdk.GraphClient(transport=httpx.MockTransport(self), **options)

    def async_client(self, sdk, **options):
        async def handle(request: httpx.Request) -> httpx.Response:
            await request.aread()
            return self(request)

        options.setdefault("token", "tok")
        return sdk.AsyncGraphClient(transport=httpx.MockTransport(handle), **options)


WIDGET = {
    "id": "w1",
    "displayName": "Old",
    "size": 2,
    "createdDateTime": "2021-01-01T00:00:00.1234567+02:00",
    "@odata.etag": 'W/"1"',
}


def json_response(body: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"request-id": "rid-1", **headers})


# ---- 1. types: the constructor takes attribute names; explicit re-exports; py.typed -------------------


def test_models_take_attribute_names_and_the_package_ships_py_typed(built: Path, sdk) -> None:
    Widget = sdk.models.Widget
    widget = Widget(display_name="A", size=1)
    assert widget.to_dict() == {"displayName": "A", "size": 1}
    assert Widget.from_dict({"displayName": "B"}).display_name == "B"
    assert (built / PACKAGE / "py.typed").is_file()
    project = (built / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "sdk-client"' in project and 'version = "0.1.0"' in project
    init = (built / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert "from .client import GraphClient as GraphClient" in init


USER_CODE = '''\
"""What a Graph user writes every day, type-checked as it is."""

import asyncio
import io
from collections.abc import Iterator

import httpx

from sdk_client import AsyncGraphClient, GraphClient, NotFoundError, RateLimitError
from sdk_client.models import SpecialWidget, Widget


def token() -> str:
    return "tok"


async def async_token() -> str:
    return "tok"


def chunks() -> Iterator[bytes]:
    yield b"a"
    yield b"b"


def daily(graph: GraphClient) -> None:
    created: Widget = graph.widgets.create(Widget(display_name="New", size=3))
    special = graph.widgets.create(SpecialWidget(display_name="S", power=2))
    print(special.id)
    got = graph.widgets.get(created.id or "", select=["id", "displayName"])
    got.display_name = "Renamed"
    graph.widgets.update(got.id or "", got)
    pager = graph.widgets.list(count=True, top=10)
    total: int | None = pager.count
    for widget in pager:
        print(widget.display_name, total)
    for page in pager.pages():
        print(len(page.items), page.next_link, page.delta_link)
    graph.widgets.delete("w1")
    graph.widgets.set_content("w1", b"hello")
    graph.widgets.set_content("w1", io.BytesIO(b"hello"))
    graph.widgets.set_content("w1", chunks())
    data: bytes = graph.widgets.get_content("w1")
    report: bytes = graph.reports.get_widget_report("D7")
    print(len(data), len(report))
    with graph.with_streaming_response(graph.widgets.get_content)("w1") as response:
        for chunk in response.iter_bytes():
            print(len(chunk))
    raw = graph.with_raw_response(graph.widgets.get)("w1")
    widget2: Widget = raw.parse()
    print(raw.status_code, raw.headers.get("etag"), raw.request_id, widget2.id)
    quick = graph.with_options(timeout=5.0, max_retries=0, extra_headers={"X-A": "1"})
    quick.widgets.get("w1", timeout=httpx.Timeout(2.0), max_retries=1, params={"a": "b"})
    graph.widgets.create(Widget(size=1), extra_body={"note": "x"})
    other: Widget = graph.request("GET", "/widgets/w1", cast_to=Widget)
    response2: httpx.Response = graph.request("GET", "/widgets/w1")
    print(other.size, response2.status_code)
    try:
        graph.widgets.get("missing")
    except NotFoundError as exc:
        print(exc.status_code, exc.code, exc.request_id)
    except RateLimitError as exc:
        print(exc.retry_after)


async def daily_async() -> None:
    async with AsyncGraphClient(async_token) as graph:
        widget = await graph.widgets.get("w1", select=["id"])
        print(widget.display_name)
        async for item in await graph.widgets.list():
            print(item.id)
        raw = await graph.with_raw_response(graph.widgets.get)("w1")
        print(raw.status_code, raw.parse().id)
        async with graph.with_streaming_response(graph.widgets.get_content)("w1") as r:
            async for chunk in r.aiter_bytes():
                print(len(chunk))


def main() -> None:
    with GraphClient(token, base_url="https://graph.microsoft.com/beta") as graph:
        daily(graph)
    asyncio.run(daily_async())
'''


def _tool(name: str) -> str:
    """A checker from the `test` extra (pyright is pinned there): skipped only outside CI."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: the test extra installs it")
        pytest.skip(f"{name} is not installed")
    return found


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_user_code_passes_mypy_strict_and_pyright(built: Path, tmp_path: Path, checker: str) -> None:
    (tmp_path / "user_code.py").write_text(USER_CODE, encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(built), "PYTHONPATH": str(built)}
    if checker == "mypy":
        args = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull]
        args += ["user_code.py", str(built / PACKAGE)]  # the generated package itself too
    else:
        args = [_tool("pyright"), "--pythonpath", sys.executable, "user_code.py", str(built / PACKAGE)]
    result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    if checker == "pyright":
        assert re.search(r"^0 errors, 0 warnings", result.stdout, re.MULTILINE), result.stdout


# ---- 2. the write side -----------------------------------------------------------------------


def test_get_modify_patch_sends_only_the_changes_and_null_for_none(sdk) -> None:
    service = Service(
        {("GET", "/v1.0/widgets/w1"): json_response(WIDGET), ("PATCH", "/v1.0/widgets/w1"): json_response(WIDGET)}
    )
    with service.client(sdk) as graph:
        widget = graph.widgets.get("w1")
        widget.display_name = "New"
        widget.size = None
        graph.widgets.update("w1", widget)
        assert json.loads(service.requests[-1].content) == {"displayName": "New", "size": None}
        # an unchanged object sends nothing; a read-only property is sent only when changed
        graph.widgets.update("w1", graph.widgets.get("w1"))
        assert json.loads(service.requests[-1].content) == {}


def test_read_only_properties_the_service_sent_are_not_echoed_back(sdk) -> None:
    service = Service(
        {("GET", "/v1.0/widgets/w1"): json_response(WIDGET), ("POST", "/v1.0/widgets"): json_response(WIDGET, 201)}
    )
    with service.client(sdk) as graph:
        copy = graph.widgets.get("w1")
        graph.widgets.create(copy)
        sent = json.loads(service.requests[-1].content)
        assert "id" not in sent and "createdDateTime" not in sent
        assert sent == {"displayName": "Old", "size": 2, "@odata.etag": 'W/"1"'}
        assert copy.to_body(read_only=True)["id"] == "w1"  # forced
    assert sdk.models.Widget.READ_ONLY == ("id", "createdDateTime")


def test_unknown_keywords_are_errors_but_unknown_service_keys_are_kept(sdk) -> None:
    Widget = sdk.models.Widget
    with pytest.raises(TypeError, match="display_nam"):
        Widget(display_nam="typo")
    parsed = Widget.from_dict({"displayName": "x", "brandNew": [1]})
    assert parsed.to_dict() == {"displayName": "x", "brandNew": [1]}


def test_a_derived_type_sends_its_odata_type_and_naive_datetimes_are_refused(sdk) -> None:
    service = Service({("POST", "/v1.0/widgets"): json_response(WIDGET, 201)})
    with service.client(sdk) as graph:
        graph.widgets.create(sdk.models.SpecialWidget(display_name="S", power=2))
        sent = json.loads(service.requests[-1].content)
        assert sent == {"@odata.type": "#microsoft.graph.specialWidget", "displayName": "S", "power": 2}
        graph.widgets.create(sdk.models.Widget(display_name="plain"))
        assert json.loads(service.requests[-1].content) == {"displayName": "plain"}
    with pytest.raises(ValueError, match="naive datetime"):
        sdk.models.Widget(due_date_time=datetime(2024, 1, 1))
    aware = sdk.models.Widget(due_date_time=datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert aware.to_dict() == {"dueDateTime": "2024-01-01T00:00:00Z"}


# ---- 3. binary content -----------------------------------------------------------------------


def test_uploads_from_bytes_files_and_iterators_with_the_documented_content_type(sdk) -> None:
    service = Service({("PUT", "/v1.0/widgets/w1/content"): httpx.Response(200)})

    def chunks() -> Iterator[bytes]:
        yield b"ab"
        yield b"cd"

    with service.client(sdk) as graph:
        for body in (b"abcd", io.BytesIO(b"abcd"), chunks(), bytearray(b"abcd")):
            assert graph.widgets.set_content("w1", body) is None
            request = service.requests[-1]
            assert request.content == b"abcd"
            assert request.headers["content-type"] == "text/plain"
    assert "chunked" in service.requests[2].headers.get("transfer-encoding", "")  # streamed, not read whole

    async def main() -> None:
        async with service.async_client(sdk) as graph:
            await graph.widgets.set_content("w1", chunks())
            await graph.widgets.set_content("w1", io.BytesIO(b"abcd"))

    asyncio.run(main())
    assert [r.content for r in service.requests[-2:]] == [b"abcd", b"abcd"]


def test_non_json_responses_are_returned_as_bytes(sdk) -> None:
    csv = b"Report Refresh Date,Count\n2024-01-01,3\n"
    service = Service(
        {
            ("GET", "/v1.0/widgets/w1/export"): httpx.Response(
                200, content=b"PK\x03\x04", headers={"content-type": "application/zip"}
            ),
            ("GET", "/v1.0/reports/getWidgetReport(period='D7')"): httpx.Response(
                302, headers={"location": "https://reports.example/r.csv?sig=secret"}
            ),
            ("GET", "/r.csv"): httpx.Response(200, content=csv, headers={"content-type": "application/octet-stream"}),
        }
    )
    with service.client(sdk) as graph:
        assert graph.widgets.get_export("w1") == b"PK\x03\x04"
        assert graph.reports.get_widget_report("D7") == csv
    assert "authorization" not in service.requests[-1].headers  # another origin


# ---- 4. raw responses and per-call options --------------------------------------------------------


def test_raw_response_gives_status_headers_request_id_and_the_value(sdk) -> None:
    service = Service({("GET", "/v1.0/widgets/w1"): json_response(WIDGET, etag='W/"1"')})
    with service.client(sdk) as graph:
        raw = graph.with_raw_response(graph.widgets.get)("w1", select=["id"])
        assert (raw.status_code, raw.request_id, raw.etag) == (200, "rid-1", 'W/"1"')
        assert raw.parse().display_name == "Old"

    async def main():
        async with service.async_client(sdk) as graph:
            return await graph.with_raw_response(graph.widgets.get)("w1")

    assert asyncio.run(main()).parse().id == "w1"


def test_per_call_options_and_with_options(sdk) -> None:
    service = Service(
        {
            ("GET", "/v1.0/widgets/w1"): [json_response({}, 503), json_response(WIDGET)],
            ("POST", "/v1.0/widgets"): json_response(WIDGET, 201),
        }
    )
    with service.client(sdk) as graph:
        graph._core._sleep = lambda _: None
        with pytest.raises(sdk.InternalServerError):
            graph.widgets.get("w1", max_retries=0, timeout=1.5)
        assert service.requests[-1].extensions["timeout"]["read"] == 1.5
        quick = graph.with_options(timeout=2.5, extra_headers={"X-Trace": "t"}, extra_query={"debug": "1"})
        assert quick.widgets.get("w1").id == "w1"
        request = service.requests[-1]
        assert request.extensions["timeout"]["read"] == 2.5
        assert request.headers["x-trace"] == "t" and request.url.params["debug"] == "1"
        graph.widgets.get("w1")
        assert "x-trace" not in service.requests[-1].headers  # the original is unchanged
        assert service.requests[-1].extensions["timeout"]["read"] == 30.0
        graph.widgets.create(sdk.models.Widget(size=1), extra_body={"note": "x"}, headers={"Prefer": "p"})
        assert json.loads(service.requests[-1].content) == {"size": 1, "note": "x"}
        assert service.requests[-1].headers["prefer"] == "p"
        quick.close()  # shares the connections: closing it leaves graph open
        assert graph.request("GET", "/widgets/w1", cast_to=sdk.models.Widget).id == "w1"
        assert graph.request("GET", "widgets/w1").json()["id"] == "w1"
        with pytest.raises(sdk.NotFoundError):
            graph.request("GET", "/nowhere")


def test_each_group_is_an_accessor_made_on_first_use(sdk, built: Path) -> None:
    """`graph.widgets` is one resource object per client (a with_options() copy has its own,
    bound to its own options), and `import <package>` imports no operations module: each is
    imported when its accessor is first used."""
    with Service({}).client(sdk) as graph:
        assert graph.widgets is graph.widgets
        assert type(graph.widgets).__name__ == "Widgets" and graph.reports is not graph.widgets
        quick = graph.with_options(timeout=2.5)
        assert quick.widgets is not graph.widgets and quick.widgets is quick.widgets
        assert graph.widgets._core is graph._core and quick.widgets._core is quick._core
    script = (
        f"import sys, {PACKAGE}\n"
        f"graph = {PACKAGE}.GraphClient('t')\n"
        f"before = sorted(m for m in sys.modules if '.operations.' in m)\n"
        f"graph.widgets\n"
        f"print(before, sorted(m for m in sys.modules if '.operations.' in m))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=built, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"[] ['{PACKAGE}.operations.widgets']"


# ---- 5. auth -----------------------------------------------------------------------------


class Credential:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: object):
        self.calls.append(scopes)
        return type("AccessToken", (), {"token": f"cred-{len(self.calls)}", "expires_on": int(time.time()) + 3600})()


class AsyncCredential(Credential):
    async def get_token(self, *scopes: str, **kwargs: object):  # type: ignore[override]
        return Credential.get_token(self, *scopes)


def test_tokens_strings_functions_async_functions_and_credentials(sdk) -> None:
    service = Service({("GET", "/v1.0/widgets/w1"): json_response(WIDGET)})
    credential = Credential()
    for token, expected in (("s", "s"), (lambda: "f", "f"), (credential, "cred-1")):
        with service.client(sdk, token=token) as graph:
            graph.widgets.get("w1")
            graph.widgets.get("w1")
        assert service.requests[-1].headers["authorization"] == f"Bearer {expected}"
    assert credential.calls == [("api://widgets/.default",)]  # scopes from config; cached

    async def async_token() -> str:
        return "a"

    async def main(token) -> str:
        async with service.async_client(sdk, token=token) as graph:
            await graph.widgets.get("w1")
        return service.requests[-1].headers["authorization"]

    assert asyncio.run(main(async_token)) == "Bearer a"
    assert asyncio.run(main(AsyncCredential())) == "Bearer cred-1"
    with service.client(sdk, token=async_token) as graph, pytest.raises(TypeError, match="AsyncGraphClient"):
        graph.widgets.get("w1")
    with pytest.raises(TypeError, match="token must be"):
        sdk.GraphClient(42)
    assert sdk.GraphClient("t")._core.scopes == ("api://widgets/.default",)


# ---- 6. resilience and visibility ------------------------------------------------------------------


def test_logging_is_silent_by_default_and_debug_lines_hide_secrets(sdk, caplog) -> None:
    logger = logging.getLogger(PACKAGE)
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)
    service = Service(
        {("GET", "/v1.0/widgets/w1"): [json_response({}, 429, **{"Retry-After": "0"}), json_response(WIDGET)]}
    )
    with caplog.at_level(logging.DEBUG, logger=PACKAGE):
        with service.client(sdk) as graph:
            graph.widgets.get("w1", params={"sig": "s3cret", "x": "1"})
    lines = [r.getMessage() for r in caplog.records if r.name == PACKAGE]
    assert lines == [
        "GET https://graph.microsoft.com/v1.0/widgets/w1?sig=***&x=1 -> 429 (request-id rid-1, attempt 1)",
        "GET https://graph.microsoft.com/v1.0/widgets/w1?sig=***&x=1 -> 200 (request-id rid-1, attempt 2)",
    ]
    assert "s3cret" not in caplog.text and "tok" not in caplog.text


def test_rate_limit_error_carries_retry_after(sdk) -> None:
    service = Service(
        {("POST", "/v1.0/widgets"): json_response({"error": {"code": "tooMany"}}, 429, **{"Retry-After": "90"})}
    )
    with service.client(sdk) as graph, pytest.raises(sdk.RateLimitError) as info:
        graph.widgets.create({"size": 1})
    assert info.value.retry_after == 90.0 and len(service.requests) == 1


# ---- 7. paging ---------------------------------------------------------------------------------


def test_pager_count_delta_link_pages_and_a_second_iteration(sdk) -> None:
    page2 = f"{BASE}/widgets?$skiptoken=2"
    service = Service(
        {
            ("GET", "/v1.0/widgets"): [
                json_response({"@odata.count": 3, "value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": page2}),
                json_response({"value": [{"id": "c"}], "@odata.deltaLink": f"{BASE}/widgets/delta?t=1"}),
            ]
        }
    )
    with service.client(sdk) as graph:
        pager = graph.widgets.list(count=True)
        assert pager.count == 3 and [w.id for w in pager.items] == ["a", "b"]
        assert [w.id for w in pager] == ["a", "b", "c"]
        assert [w.id for w in pager] == ["a", "b", "c"]
        assert [p.delta_link for p in pager.pages()] == [None, f"{BASE}/widgets/delta?t=1"]
    assert service.requests[0].url.params["$count"] == "true"


# ---- 8. docstrings and 403 -------------------------------------------------------------------------


def test_docstrings_give_parameters_permissions_status_and_source(sdk) -> None:
    operations = importlib.import_module(f"{PACKAGE}.operations.reports"), importlib.import_module(
        f"{PACKAGE}.operations.widgets"
    )
    doc = operations[0].Reports.get_widget_report.__doc__
    assert "period_value: The length of time the report covers: D7 or D30. Required." in doc
    assert "Delegated (work or school account): Widget.Read, Widget.ReadWrite.All" in doc
    assert "Application: Widget.Read.All" in doc
    assert "Documented response: 302 Found." in doc
    assert "widget-report.md:" in doc
    assert "select: the OData $select query option" in operations[1].Widgets.get.__doc__


def test_a_403_names_the_documented_permissions(sdk) -> None:
    service = Service({("GET", "/v1.0/widgets"): json_response({"error": {"code": "Forbidden"}}, 403)})
    with service.client(sdk) as graph, pytest.raises(sdk.PermissionDeniedError) as info:
        graph.widgets.list()
    assert info.value.permissions == (
        "Delegated (work or school account): Widget.Read, Widget.ReadWrite.All",
        "Application: Widget.Read.All",
    )
    assert "Widget.Read.All" in str(info.value)


@pytest.mark.parametrize("method", ["archive", "restore"])
def test_permissions_are_least_privileged_first_in_docstrings_and_403s(sdk, method: str) -> None:
    """`Permissions (from most to least privileged)` tables are reversed; a `Least privileged
    permissions` column comes before the `Higher privileged permissions` one."""
    least_first = "Delegated (work or school account): Widget.Read, Widget.ReadWrite, Widget.ReadWrite.All"
    doc = getattr(importlib.import_module(f"{PACKAGE}.operations.widgets").Widgets, method).__doc__
    assert f"Permissions (least privileged first):\n        - {least_first}\n" in doc
    assert "- Application: Widget.Read.All\n" in doc
    path = f"/v1.0/widgets/w1/{method}"
    service = Service({("POST", path): json_response({"error": {"code": "Forbidden", "message": "No."}}, 403)})
    with service.client(sdk) as graph, pytest.raises(sdk.PermissionDeniedError) as info:
        getattr(graph.widgets, method)("w1")
    assert info.value.permissions == (least_first, "Application: Widget.Read.All")
    assert str(info.value) == (
        f"403 Forbidden: No. (request-id: rid-1); the documented permissions (least privileged first) are: "
        f"{least_first}; Application: Widget.Read.All"
    )


# ---- over a real HTTP server on 127.0.0.1: redirects across origins, streaming, Retry-After -------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[int, str, str, str | None, bytes]]  # port, method, path, authorization, body
    other_port: int
    retry_after: str

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding") == "chunked":
            data = b""
            while (size := int(self.rfile.readline().strip(), 16)) > 0:
                data += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return data
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        body = self._body()
        port = self.server.server_address[1]
        self.seen.append((port, self.command, self.path, self.headers.get("Authorization"), body))
        if self.path.startswith("/v1.0/reports/"):
            self._send(302, Location=f"http://127.0.0.1:{self.other_port}/r.csv?sig=x")
        elif self.path == "/r.csv?sig=x":
            self._send(200, b"a,b\n1,2\n", Content_Type="text/csv")
        elif self.path == "/v1.0/widgets/w1/content/$value":
            self._send(200, b"x" * 300_000, Content_Type="application/octet-stream")
        elif self.path == "/v1.0/widgets/busy":
            busy = sum(1 for s in self.seen if s[2] == self.path) == 1
            self._send(429, b"{}", Retry_After=self.retry_after) if busy else self._send(200, b'{"id": "ok"}')
        elif self.path == "/v1.0/widgets/w1/content":
            self._send(200)
        else:
            self._send(404, b'{"error": {"code": "itemNotFound"}}')

    do_GET = do_PUT = do_POST = _handle


@pytest.fixture()
def servers():
    """Two servers on 127.0.0.1: two origins (their ports differ)."""
    seen: list = []
    handler = type("Handler", (_Handler,), {"seen": seen, "retry_after": "1"})
    first = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    second = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.other_port = second.server_address[1]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (first, second)]
    for thread in threads:
        thread.start()
    try:
        yield f"http://127.0.0.1:{first.server_address[1]}/v1.0", seen, handler
    finally:
        for server in (first, second):
            server.shutdown()
            server.server_close()


def test_real_server_redirect_to_another_origin_drops_authorization(sdk, servers) -> None:
    base, seen, handler = servers
    with sdk.GraphClient("secret-token", base_url=base, timeout=5) as graph:
        assert graph.reports.get_widget_report("D7") == b"a,b\n1,2\n"
    first, second = seen
    assert first[3] == "Bearer secret-token"
    assert second[0] == handler.other_port and second[3] is None


def test_real_server_streams_downloads_and_uploads(sdk, servers) -> None:
    base, seen, _ = servers
    with sdk.GraphClient("t", base_url=base, timeout=5) as graph:
        with graph.with_streaming_response(graph.widgets.get_content)("w1") as response:
            assert not response.is_stream_consumed
            sizes = [len(chunk) for chunk in response.iter_bytes(chunk_size=65536)]
        assert sum(sizes) == 300_000 and len(sizes) > 1
        assert response.is_closed
        assert graph.widgets.get_content("w1") == b"x" * 300_000

        def chunks() -> Iterator[bytes]:
            for _ in range(3):
                yield b"0123456789"

        graph.widgets.set_content("w1", chunks())
    assert seen[-1][1:3] == ("PUT", "/v1.0/widgets/w1/content") and seen[-1][4] == b"0123456789" * 3

    async def main() -> int:
        async with sdk.AsyncGraphClient("t", base_url=base, timeout=5) as graph:
            async with graph.with_streaming_response(graph.widgets.get_content)("w1") as response:
                return sum([len(c) async for c in response.aiter_bytes()])

    assert asyncio.run(main()) == 300_000


def test_real_server_retry_after_is_waited_for(sdk, servers) -> None:
    base, seen, handler = servers
    handler.retry_after = "0.3"
    with sdk.GraphClient("t", base_url=base, timeout=5) as graph:
        started = time.monotonic()
        assert graph.request("GET", "/widgets/busy", cast_to=dict)["id"] == "ok"
        assert 0.3 <= time.monotonic() - started < 3
    assert [s[2] for s in seen] == ["/v1.0/widgets/busy", "/v1.0/widgets/busy"]


# ---- the distribution: pip install (not editable) in a fresh venv, then the README's example -------------

README_EXAMPLE_SERVER = """
import http.server, json, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body.update({"id": "c1", "createdDateTime": "2024-05-01T10:00:00Z"})
        data = json.dumps(body).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = f"http://127.0.0.1:{server.server_address[1]}"
def get_token():
    return "tok"
"""


def test_pip_install_of_the_generated_tree_then_the_readme_example(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    example = _readme_example()
    assert "https://graph.microsoft.com/beta" in example
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    python = venv / "bin" / "python"
    source = tmp_path / "generated"
    shutil.copytree(root / "generated", source, ignore=shutil.ignore_patterns("__pycache__"))
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(source)], capture_output=True, text=True, timeout=600
    )
    assert install.returncode == 0, install.stdout + install.stderr
    shutil.rmtree(source)  # what runs is the installed copy
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = README_EXAMPLE_SERVER + example.replace('"https://graph.microsoft.com/beta"', 'BASE + "/beta"')
    (elsewhere / "example.py").write_text(script, encoding="utf-8")
    run = subprocess.run([python, "example.py"], cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].startswith("c1 2024-05-01")
    assert json.loads(run.stdout.splitlines()[1])["displayName"] == "Room 12 carts"


def _readme_example() -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("What you get, for the seed page", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_the_readme_example_passes_mypy_strict_and_pyright(tmp_path: Path, checker: str) -> None:
    generated = Path(__file__).resolve().parent.parent / "generated"
    (tmp_path / "example.py").write_text(_readme_example(), encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(generated), "PYTHONPATH": str(generated)}
    if checker == "mypy":
        args = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull]
        args += ["example.py", str(generated / "graph_client")]
    else:
        args = [_tool("pyright"), "--pythonpath", sys.executable, "example.py", str(generated / "graph_client")]
    result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
