"""The offline mock's data: every documented request that shows a response, with that
response, as the generated `<package>.testing` module serves them.

The examples are data, not code: they reach the package as one JSON document
(`<package>/_examples.txt`, after docgen's header line), never as Python source."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from docgen.escape import Code, json_document
from docgen.ir import BodyKind, Example
from docgen.paths import split_path
from docgen.plan.files import FROZEN, FilePlan
from docgen.validate import CheckedOperation

DATA_FILE = "_examples.txt"  # beside <package>/testing.py, which reads it
FORMAT = {"format": "docgen-mock", "version": 1}
_NOT_SENT = {"content-length", "transfer-encoding"}  # wrong in most documented responses


@dataclass(**FROZEN)
class MockExample:
    """One documented request and its documented response (the fields of the JSON entry,
    which `testing.Example` reads back)."""

    name: str
    page: str  # the page's path without `.md`
    source: str  # `page.md:line` of the request line
    method_name: str  # the call after the client that makes this request: `users.get`
    module: str  # the dotted (version) package of the client that has the method
    method: str
    url: str
    prefix: str  # the URL path before the documented path (`/v1.0`)
    path: str  # the rest of the URL path, placeholders kept
    templates: tuple[str, ...]  # the operation's documented paths
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]  # the request's header lines (names lower-cased)
    body: Any  # the request's JSON body, or None
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: str  # JSON bodies as compact JSON (read leniently by extract); others as written


@dataclass(**FROZEN)
class MockDataPlan(FilePlan):
    """`<package>/_examples.txt`: docgen's header, then the examples as a JSON document."""

    template: ClassVar[str] = "mock_examples.txt.j2"
    document: Code  # the JSON text (`json_document`): data the mock reads at run time


def mock_examples(checked: Sequence[CheckedOperation], method_names: Sequence[str], module: str) -> list[MockExample]:
    """Every example of these operations that has a response, in the documented order."""
    result = []
    for item, method_name in zip(checked, method_names):
        op = item.operation
        templates = tuple(dict.fromkeys(p.path for p in op.paths))
        for example in op.examples:
            if example.response is not None:
                result.append(_entry(example, templates, str(method_name), module))
    return result


def _entry(example: Example, templates: tuple[str, ...], method_name: str, module: str) -> MockExample:
    request, response = example.request, example.response
    assert response is not None
    url = request.url.strip()
    split = urlsplit(url if "://" in url else "https://graph.microsoft.com/" + url.lstrip("/"))
    path = unquote(split.path)
    prefix = _prefix(path, templates)
    body = request.body.json if request.body.kind is BodyKind.JSON else None
    if response.body.kind is BodyKind.JSON and response.body.json is not None:
        content = json.dumps(response.body.json, ensure_ascii=False)
    else:
        content = response.body.text
    return MockExample(
        name=example.name,
        page=example.span.path.removesuffix(".md"),
        source=str(request.span),
        method_name=method_name,
        module=module,
        method=request.method.upper(),
        url=url,
        prefix=prefix,
        path=path[len(prefix) :] or "/",
        templates=templates,
        query=tuple(
            sorted(
                (k.lower() if k.startswith("$") else k, v) for k, v in parse_qsl(split.query, keep_blank_values=True)
            )
        ),
        headers=tuple((h.name.strip().rstrip(":").strip().lower(), h.value) for h in request.headers),
        body=body,
        status=response.status or 200,
        response_headers=tuple(
            (h.name.strip().rstrip(":").strip(), h.value)
            for h in response.headers
            if h.name.strip().lower() not in _NOT_SENT and h.value.isprintable()
        ),
        response_body=content,
    )


def _prefix(path: str, templates: tuple[str, ...]) -> str:
    """What comes before the documented path in an example's URL path (`/v1.0`): where a
    documented path matches its end (as the example tests map URLs), else a version segment."""
    for template in templates:
        match = split_path(template).regex().search(path)
        if match is not None:
            return path[: match.start()]
    first = path.split("/")[1] if path.count("/") >= 1 else ""
    if first.lower() == "beta" or (first[:1] in "vV" and first[1:2].isdigit()):
        return "/" + first
    return ""


def mock_data(examples: Sequence[MockExample]) -> MockDataPlan:
    entries = [_as_json(e) for e in examples]
    return MockDataPlan(document=json_document({**FORMAT, "examples": entries}))


def _as_json(example: MockExample) -> dict[str, Any]:
    return {
        "name": example.name,
        "page": example.page,
        "source": example.source,
        "method_name": example.method_name,
        "module": example.module,
        "method": example.method,
        "url": example.url,
        "prefix": example.prefix,
        "path": example.path,
        "templates": list(example.templates),
        "query": [list(pair) for pair in example.query],
        "headers": [list(pair) for pair in example.headers],
        "body": example.body,
        "status": example.status,
        "response_headers": [list(pair) for pair in example.response_headers],
        "response_body": example.response_body,
    }
