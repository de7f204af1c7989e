"""A generated client under bad responses: non-JSON and empty error bodies, unexpected status
codes, malformed JSON, 429/503 with Retry-After. Every failure is a typed GraphError carrying the
status and the body, never a bare KeyError, TypeError or pydantic ValidationError; retries are
bounded, honour Retry-After, and happen for idempotent methods only.

The client is generated from pages of this file into a temporary folder under its own package
name, imported for this module only and removed from sys.modules afterwards.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib
import json
import sys
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import httpx
import pydantic
import pytest

from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.output import diff_tree, read_tree, write_tree
from docgen.pipeline import generate

pytestmark = pytest.mark.usefixtures("no_docgen_cache")


PACKAGE = "bad_responses_client"
BASE = "https://graph.microsoft.com/v1.0"

WIDGET = """\
# widget resource type

## Properties

|Property|Type|Description|
|:---|:---|:---|
|id|String|The id.|
|size|Int32|The size.|
|createdDateTime|DateTimeOffset|When.|
|parts|[part](part.md) collection|Parts.|
"""
PART = "# part resource type\n\n## Properties\n\n|Property|Type|Description|\n|-|-|-|\n|name|String|x|\n"


def operation(title: str, method: str, path: str, response: str) -> str:
    return f"# {title}\n\n## HTTP request\n\n```http\n{method} {path}\n```\n\n## Response\n\nIf successful, this method returns {response}.\n"


PAGES = {
    "widget.md": WIDGET,
    "part.md": PART,
    "widget-get.md": operation(
        "Get widget", "GET", "/widgets/{id}", "a `200 OK` response code and a [widget](widget.md) object"
    ),
    "widget-list.md": operation(
        "List widgets", "GET", "/widgets", "a `200 OK` response code and a collection of [widget](widget.md) objects"
    ),
    "widget-create.md": operation(
        "Create widget", "POST", "/widgets", "a `201 Created` response code and a [widget](widget.md) object"
    )
    + "\n## Request body\n\nSupply a [widget](widget.md) object.\n",
    "widget-delete.md": operation("Delete widget", "DELETE", "/widgets/{id}", "a `204 No Content` response code"),
    "widget-count.md": operation("Count widgets", "GET", "/widgets/$count", "a `200 OK` response code and a count"),
    "widget-photo.md": operation(
        "Get widget photo", "GET", "/widgets/{id}/photo/$value", "a `200 OK` response code and the bytes"
    ),
}


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("bad_responses")
    docs = root / "docs"
    docs.mkdir()
    for name, text in PAGES.items():
        (docs / name).write_text(text, encoding="utf-8")
    sink = Sink()
    files = generate(Config(input=docs, output=root / "out", package=PACKAGE), sink).files
    assert not sink.failed(False), [d.format() for d in sink.items]
    out = root / "out"
    write_tree(out, files, diff_tree(files, read_tree(out)))
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module(PACKAGE)
        runtime = importlib.import_module(f"{PACKAGE}._runtime")
        yield package, runtime
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class Server:
    """Answers requests from a script of responses; records requests and sleeps."""

    def __init__(self, *responses: Reply | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses[min(len(self.requests), len(self.responses)) - 1]
        if isinstance(item, Exception):
            raise item
        status, headers, content = item
        return httpx.Response(status, headers=headers, content=content)

    def sync(self, package, max_retries: int = 2):
        client = package.GraphClient(
            "token", base_url=BASE, transport=httpx.MockTransport(self.answer), max_retries=max_retries
        )
        client._core._sleep = self.sleeps.append
        return client

    def run_async(self, package, call, max_retries: int = 2):
        async def handle(request: httpx.Request) -> httpx.Response:
            return self.answer(request)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        async def main():
            async with package.AsyncGraphClient(
                "token", base_url=BASE, transport=httpx.MockTransport(handle), max_retries=max_retries
            ) as client:
                client._core._sleep = sleep
                return await call(client)

        return asyncio.run(main())


Reply = tuple[int, dict[str, str], bytes]


def response(status: int, content: bytes | str = b"", **headers: str) -> Reply:
    """What the server sends (raw bytes: a fresh httpx.Response is built for every request)."""
    data = content.encode() if isinstance(content, str) else content
    return status, {k.replace("_", "-"): v for k, v in headers.items()}, data


def call_both(package, server_factory, call_sync, call_async, max_retries: int = 2):
    """The same scenario through the sync and the async client: (exception or result, server) each."""
    outcomes = []
    for flavour in ("sync", "async"):
        server = server_factory()
        try:
            if flavour == "sync":
                with server.sync(package, max_retries) as client:
                    result = call_sync(client)
            else:
                result = server.run_async(package, call_async, max_retries)
        except Exception as exc:  # noqa: BLE001 - the type is what is checked
            result = exc
        outcomes.append((result, server))
    return outcomes


def assert_typed(exc: object, package, status: int | None = None, body: str | None = None) -> None:
    assert isinstance(exc, package.GraphError), f"{type(exc).__name__}: {exc}"
    assert not isinstance(exc, (KeyError, TypeError, ValueError, pydantic.ValidationError))
    if status is not None:
        assert isinstance(exc, package.APIStatusError)
        assert exc.status_code == status
    if body is not None:
        assert exc.body == body
    str(exc)  # the message renders


# ---- error statuses with odd bodies -----------------------------------------------------------

ERROR_BODIES = [
    ("html", 502, "<html><body>Bad gateway</body></html>", {"content_type": "text/html"}),
    ("empty", 404, "", {}),
    ("empty-json-type", 500, "", {"content_type": "application/json"}),
    ("malformed-json", 400, '{"error": {"code": "x", ', {"content_type": "application/json"}),
    (
        "error-is-string",
        401,
        '{"error": "invalid_token", "error_description": "expired"}',
        {"content_type": "application/json"},
    ),
    (
        "error-fields-wrong-types",
        403,
        '{"error": {"code": 5, "message": ["a"], "innerError": "x"}}',
        {"content_type": "application/json"},
    ),
    ("error-is-null", 409, '{"error": null}', {"content_type": "application/json"}),
    ("list-body", 412, "[1, 2, 3]", {"content_type": "application/json"}),
    ("deeply-nested", 500, "[" * 100_000 + "]" * 100_000, {"content_type": "application/json"}),
    ("binary", 500, bytes(range(256)).decode("latin-1"), {"content_type": "application/octet-stream"}),
    (
        "bad-charset",
        400,
        '{"error": {"code": "c", "message": "m"}}',
        {"content_type": "application/json; charset=no-such-charset"},
    ),
]


@pytest.mark.parametrize(("name", "status", "body", "headers"), ERROR_BODIES, ids=[e[0] for e in ERROR_BODIES])
def test_error_statuses_with_odd_bodies_raise_typed_errors(client_package, name, status, body, headers) -> None:
    package, runtime = client_package
    outcomes = call_both(
        package,
        lambda: Server(response(status, body.encode("latin-1") if name == "binary" else body, **headers)),
        lambda c: c.widgets.get("w1"),
        lambda c: c.widgets.get("w1"),
        max_retries=0,
    )
    for exc, server in outcomes:
        assert_typed(exc, package, status)
        assert len(server.requests) == 1
        if name != "binary":
            assert exc.body == body
    expected_class = {
        404: "NotFoundError",
        401: "AuthenticationError",
        403: "PermissionDeniedError",
        409: "ConflictError",
        412: "PreconditionFailedError",
        400: "BadRequestError",
    }.get(status, "InternalServerError")
    assert type(outcomes[0][0]).__name__ == expected_class


def test_graph_error_body_is_read(client_package) -> None:
    package, _ = client_package
    body = json.dumps(
        {"error": {"code": "itemNotFound", "message": "No widget.", "innerError": {"request-id": "r1", "date": "d"}}}
    )
    (exc, _), (async_exc, _) = call_both(
        package,
        lambda: Server(response(404, body, content_type="application/json")),
        lambda c: c.widgets.get("w"),
        lambda c: c.widgets.get("w"),
    )
    for error in (exc, async_exc):
        assert isinstance(error, package.NotFoundError)
        assert (error.code, error.message, error.request_id) == ("itemNotFound", "No widget.", "r1")


@pytest.mark.parametrize("status", [100, 199, 301, 302, 304, 418, 451, 499, 599, 600, 999])
def test_unexpected_status_codes(client_package, status: int) -> None:
    package, _ = client_package
    for exc, server in call_both(
        package,
        lambda: Server(response(status, "odd")),
        lambda c: c.widgets.get("w"),
        lambda c: c.widgets.get("w"),
        max_retries=0,
    ):
        assert_typed(exc, package, status, "odd")
        assert len(server.requests) == 1


def test_a_redirect_loop_is_a_typed_connection_error(client_package) -> None:
    package, _ = client_package
    loop = response(302, "", location=f"{BASE}/widgets/w")
    for exc, server in call_both(
        package, lambda: Server(loop), lambda c: c.widgets.get("w"), lambda c: c.widgets.get("w"), max_retries=0
    ):
        assert isinstance(exc, package.APIConnectionError), repr(exc)
        assert len(server.requests) > 1


# ---- success statuses with bodies that do not parse -----------------------------------------

SUCCESS_BODIES = [
    ("not-json", "get", 200, "<html>ok</html>"),
    ("malformed-json", "get", 200, '{"id": "w1", '),
    ("empty-body", "get", 200, ""),
    ("json-null", "get", 200, "null"),
    ("json-list", "get", 200, '[{"id": "w1"}]'),
    ("json-string", "get", 200, '"w1"'),
    ("wrong-type", "get", 200, '{"id": "w1", "size": "big"}'),
    ("bad-datetime", "get", 200, '{"createdDateTime": "2021-13-45T99:00:00Z"}'),
    ("bad-offset", "get", 200, '{"createdDateTime": "2021-01-01T00:00:00+99:00"}'),
    ("bad-nested", "get", 200, '{"parts": [{"name": 5}]}'),
    ("nested-not-list", "get", 200, '{"parts": {"name": "x"}}'),
    ("deeply-nested", "get", 200, '{"parts": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("nan", "get", 200, '{"size": NaN}'),
    ("huge-int", "get", 200, '{"size": ' + "9" * 5000 + "}"),
    ("created-wrong", "create", 201, '{"size": {}}'),
    ("collection-no-value", "list", 200, '{"values": []}'),
    ("collection-value-not-list", "list", 200, '{"value": {"id": "x"}}'),
    ("collection-bad-item", "list", 200, '{"value": [{"size": "x"}]}'),
    ("collection-next-link-not-string", "list", 200, '{"value": [], "@odata.nextLink": 5}'),
    ("count-not-integer", "count", 200, "many"),
    ("count-empty", "count", 200, ""),
]
CALLS = {
    "get": lambda c: c.widgets.get("w1"),
    "create": lambda c: c.widgets.create({"size": 1}),
    "list": lambda c: c.widgets.list(),
    "count": lambda c: c.widgets.count(),
}


@pytest.mark.parametrize(("name", "kind", "status", "body"), SUCCESS_BODIES, ids=[s[0] for s in SUCCESS_BODIES])
def test_malformed_success_bodies_raise_response_parse_error(client_package, name, kind, status, body) -> None:
    package, runtime = client_package
    call = CALLS[kind]
    for exc, server in call_both(
        package, lambda: Server(response(status, body, content_type="application/json")), call, call
    ):
        assert isinstance(exc, package.ResponseParseError), f"{name}: {type(exc).__name__}: {exc}"
        assert_typed(exc, package)
        assert exc.response is not None and exc.response.status_code == status
        assert len(server.requests) == 1


def test_undecodable_content_encoding_is_typed(client_package) -> None:
    package, _ = client_package
    broken = response(200, b"this is not gzip", content_encoding="gzip", content_type="application/json")
    for exc, _ in call_both(
        package, lambda: Server(broken), lambda c: c.widgets.get("w"), lambda c: c.widgets.get("w"), max_retries=0
    ):
        assert_typed(exc, package)
    good = response(200, gzip.compress(b'{"id": "w"}'), content_encoding="gzip", content_type="application/json")
    for result, _ in call_both(
        package, lambda: Server(good), lambda c: c.widgets.get("w"), lambda c: c.widgets.get("w")
    ):
        assert result.id == "w"


def test_transport_errors_are_typed(client_package) -> None:
    package, _ = client_package
    for error, expected in (
        (httpx.ConnectError("refused"), "APIConnectionError"),
        (httpx.ReadTimeout("slow"), "APITimeoutError"),
    ):
        for exc, server in call_both(
            package, lambda: Server(error), lambda c: c.widgets.create({}), lambda c: c.widgets.create({})
        ):
            assert type(exc).__name__ == expected
            assert len(server.requests) == 1  # POST: never retried


# ---- 429 / 503 and Retry-After --------------------------------------------------------------

OK = response(200, '{"id": "w1", "size": 2}', content_type="application/json")


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("3", 3.0), ("0", 0.0), ("1.5", 1.5), ("-4", 0.0), ("60", 60.0)],
)
def test_idempotent_requests_retry_after_the_given_delay(client_package, status, retry_after, expected) -> None:
    package, _ = client_package
    busy = response(status, "busy", retry_after=retry_after)
    for result, server in call_both(
        package, lambda: Server(busy, busy, OK), lambda c: c.widgets.get("w1"), lambda c: c.widgets.get("w1")
    ):
        assert result.size == 2
        assert len(server.requests) == 3
        assert server.sleeps == [expected, expected]


@pytest.mark.parametrize("retry_after", ["86400", "inf", "61"])
def test_a_retry_after_beyond_the_cap_raises_at_once_with_the_delay(client_package, retry_after) -> None:
    package, _ = client_package
    busy = response(429, "busy", retry_after=retry_after)
    for exc, server in call_both(
        package, lambda: Server(busy, OK), lambda c: c.widgets.get("w1"), lambda c: c.widgets.get("w1")
    ):
        assert isinstance(exc, package.RateLimitError)
        assert exc.retry_after == float(retry_after)
        assert len(server.requests) == 1 and server.sleeps == []


def test_retry_after_as_an_http_date(client_package) -> None:
    package, _ = client_package
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    busy = response(503, "", retry_after=when)
    for result, server in call_both(
        package, lambda: Server(busy, OK), lambda c: c.widgets.get("w1"), lambda c: c.widgets.get("w1")
    ):
        assert result.id == "w1"
        assert len(server.sleeps) == 1 and 20 <= server.sleeps[0] <= 30


@pytest.mark.parametrize("retry_after", [None, "soon", "", "Wed, 99 Foo 2021"])
def test_missing_or_unreadable_retry_after_backs_off_exponentially(client_package, retry_after) -> None:
    package, _ = client_package
    headers = {"retry_after": retry_after} if retry_after is not None else {}
    busy = response(429, "slow down", **headers)
    for result, server in call_both(
        package,
        lambda: Server(busy, busy, busy, OK),
        lambda c: c.widgets.get("w"),
        lambda c: c.widgets.get("w"),
        max_retries=3,
    ):
        assert result.id == "w1"
        assert len(server.sleeps) == 3
        assert all(0 < s <= 8.0 for s in server.sleeps)
        assert server.sleeps[0] < server.sleeps[2]  # grows


@pytest.mark.parametrize("status", [429, 503])
def test_retries_are_bounded_then_the_typed_error_is_raised(client_package, status) -> None:
    package, _ = client_package
    busy = response(
        status,
        '{"error": {"code": "tooMany", "message": "Slow down."}}',
        content_type="application/json",
        retry_after="1",
    )
    for exc, server in call_both(
        package, lambda: Server(busy), lambda c: c.widgets.get("w"), lambda c: c.widgets.get("w"), max_retries=2
    ):
        assert_typed(exc, package, status)
        assert isinstance(exc, package.RateLimitError if status == 429 else package.InternalServerError)
        assert exc.code == "tooMany"
        assert len(server.requests) == 3 and server.sleeps == [1.0, 1.0]
    for exc, server in call_both(
        package, lambda: Server(busy), lambda c: c.widgets.list(), lambda c: c.widgets.list(), max_retries=0
    ):
        assert_typed(exc, package, status)
        assert len(server.requests) == 1 and server.sleeps == []


@pytest.mark.parametrize("status", [429, 503])
def test_non_idempotent_requests_retry_only_when_the_service_did_not_act(client_package, status) -> None:
    package, _ = client_package
    told = response(status, "busy", retry_after="1")  # Retry-After: the service did not act
    for result, server in call_both(
        package,
        lambda: Server(told, OK),
        lambda c: c.widgets.create({"size": 1}),
        lambda c: c.widgets.create({"size": 1}),
    ):
        assert result.id == "w1"
        assert len(server.requests) == 2 and server.sleeps == [1.0]
    busy = response(status, "busy")
    for exc, server in call_both(
        package,
        lambda: Server(busy, OK),
        lambda c: c.widgets.create({"size": 1}),
        lambda c: c.widgets.create({"size": 1}),
    ):
        assert_typed(exc, package, status, "busy")
        assert len(server.requests) == 1 and server.sleeps == []


def test_504_and_connection_errors_retry_for_get_only(client_package) -> None:
    package, _ = client_package
    timeout = response(504, "gateway timeout")
    for result, server in call_both(
        package, lambda: Server(timeout, OK), lambda c: c.widgets.get("w1"), lambda c: c.widgets.get("w1")
    ):
        assert result.id == "w1" and len(server.requests) == 2
    for exc, server in call_both(
        package, lambda: Server(timeout, OK), lambda c: c.widgets.create({}), lambda c: c.widgets.create({})
    ):
        assert isinstance(exc, package.InternalServerError) and len(server.requests) == 1
    refused = httpx.ConnectError("refused")
    for result, server in call_both(
        package, lambda: Server(refused, OK), lambda c: c.widgets.get("w1"), lambda c: c.widgets.get("w1")
    ):
        assert result.id == "w1" and len(server.requests) == 2


def test_idempotent_delete_and_binary_get_retry_too(client_package) -> None:
    package, _ = client_package
    busy = response(503, "", retry_after="2")
    for result, server in call_both(
        package, lambda: Server(busy, response(204)), lambda c: c.widgets.delete("w"), lambda c: c.widgets.delete("w")
    ):
        assert result is None and server.sleeps == [2.0]
    photo = response(200, b"\x89PNG\x00\xff", content_type="image/png")
    for result, server in call_both(
        package,
        lambda: Server(busy, photo),
        lambda c: c.widgets.get_photo_content("w"),
        lambda c: c.widgets.get_photo_content("w"),
    ):
        assert result == b"\x89PNG\x00\xff" and len(server.requests) == 2


def test_success_still_parses(client_package) -> None:
    """The scenarios above fail for the right reason: the same client parses good bodies."""
    package, _ = client_package
    body = '{"id": "w1", "size": 2, "createdDateTime": "2021-01-01T00:00:00.1234567+02:00", "parts": [{"name": "p"}], "extra": 1}'
    for result, _ in call_both(
        package,
        lambda: Server(response(200, body, content_type="application/json")),
        lambda c: c.widgets.get("w1"),
        lambda c: c.widgets.get("w1"),
    ):
        assert result.to_dict() == json.loads(body)
    count = response(200, "\ufeff42", content_type="text/plain")
    for result, _ in call_both(
        package, lambda: Server(count), lambda c: c.widgets.count(), lambda c: c.widgets.count()
    ):
        assert result == 42
