"""Stage 5: which documented examples can become tests, and why the others cannot.

Between link and plan. For each operation it works out its shape (what the method takes and
returns), then runs every example through `CHECKS`, an ordered table of small named checks in
the style of markdown-it-py's rule lists: the first that returns a reason decides. The result is
data (`Skipped`), so the summary counts reasons from it, never from message text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from docgen import naming
from docgen.ir import ApiSpec, BodyKind, Example, Model, Operation, Page, Span, TypeKind, TypeRef
from docgen.link import TypeIndex, all_fields, chain, key_of
from docgen.paths import split_path
from docgen.runtime import _wire


class ResultKind(StrEnum):
    """What a generated method returns."""

    MODEL = "model"  # one model, parsed from a JSON object
    PAGER = "pager"  # a collection of models, page by page
    NONE = "none"  # nothing (204 or an empty documented response)
    BYTES = "bytes"  # `$value`: the raw content
    COUNT = "count"  # `$count`: an integer in plain text
    JSON = "json"  # any JSON value: the docs name no model
    OPERATION = "operation"  # a long-running operation: 202 Accepted and a monitor URL


@dataclass(frozen=True, slots=True)
class OperationShape:
    """What an operation's method takes and returns, from its page and the linked types."""

    method: str
    takes_body: bool
    result: ResultKind
    body_model: Model | None
    response_model: Model | None
    any_reason: str = ""  # why a method that returns a documented body returns any JSON value
    notes: tuple[tuple[str, str], ...] = ()  # (code, message): why a task helper was not used (DG32x)
    redirects: bool = False  # documented as a redirect (302) to content: the method returns those bytes


def shape_of(op: Operation, index: TypeIndex) -> OperationShape:
    response_model = index.model(op.response.type if op.response else None)
    method = op.paths[0].method
    takes_body = method in ("POST", "PUT", "PATCH") and (
        op.request_body is not None or any(e.request.body.kind is not BodyKind.NONE for e in op.examples)
    )
    result = _result(op, response_model)
    notes = _operation_notes(op)
    if result is not ResultKind.BYTES and result is not ResultKind.COUNT and _long_running(op):
        result = ResultKind.OPERATION
    return OperationShape(
        method=method,
        takes_body=takes_body,
        result=result,
        body_model=index.model(op.request_body.type if op.request_body else None),
        response_model=response_model,
        any_reason=_any_reason(op, index) if result is ResultKind.JSON and _shows_json(op) else "",
        notes=notes,
        redirects=bool(op.response and op.response.status in REDIRECTS),
    )


MONITOR_HEADERS = ("location", "operation-location", "azure-asyncoperation")


def _monitor_examples(op: Operation) -> list[int]:
    """Statuses of the example responses that show a monitor URL header."""
    return [
        e.response.status
        for e in op.examples
        if e.response is not None and any(h.name.strip().lower() in MONITOR_HEADERS for h in e.response.headers)
    ]


def _documented_status(op: Operation) -> int | None:
    if op.response is not None and op.response.status is not None:
        return op.response.status
    statuses = [e.response.status for e in op.examples if e.response is not None]
    return statuses[0] if statuses else None


def _long_running(op: Operation) -> bool:
    """Documented `202 Accepted` (the Response prose, else the first example) and an example
    202 response showing its monitor URL (Location, Operation-Location)."""
    return _documented_status(op) == 202 and 202 in _monitor_examples(op)


def _operation_notes(op: Operation) -> tuple[tuple[str, str], ...]:
    status, monitored = _documented_status(op), _monitor_examples(op)
    if status == 202 and 202 not in monitored:
        return (
            (
                "DG320",
                "the operation is documented as 202 Accepted but no example response shows a Location or "
                "Operation-Location header: the method returns as documented, not a long-running operation handle",
            ),
        )
    if status != 202 and 202 in monitored:
        return (
            (
                "DG321",
                f"an example answers 202 Accepted with a monitor URL but the page documents {status or 'no status'}: "
                "the method returns as documented, not a long-running operation handle",
            ),
        )
    return ()


def _shows_json(op: Operation) -> bool:
    return any(e.response is not None and e.response.body.kind is BodyKind.JSON for e in op.examples)


def _any_reason(op: Operation, index: TypeIndex) -> str:
    ref = op.response.type if op.response else None
    if ref is None:
        return (
            "neither the Response prose, nor a response annotation's @odata.type, nor the example bodies "
            "(one @odata.type for all) name the returned type"
        )
    if ref.kind is TypeKind.NAMED and index.key(ref) in index.enums:
        return f"the returned type {ref.name!r} is an enum"
    return f"the returned type {ref.name!r} is no model"


def _result(op: Operation, response_model: Model | None) -> ResultKind:
    last = split_path(op.paths[0].path).literal_parts[-1].rstrip("/")
    status = op.response.status if op.response else None
    if last.endswith("/$value") or last == "$value":
        return ResultKind.BYTES
    if last.endswith("/$count"):
        return ResultKind.COUNT
    responses = [e.response for e in op.examples if e.response is not None]
    empty = bool(responses) and all(r.body.kind is BodyKind.NONE for r in responses)
    shows_body = any(r.body.kind is not BodyKind.NONE for r in responses)
    if (status == 204 and not shows_body) or (response_model is None and empty):
        return ResultKind.NONE
    ref = op.response.type if op.response else None
    if response_model is not None and ref is not None and ref.collection:
        return ResultKind.PAGER
    if response_model is not None:
        return ResultKind.MODEL
    return ResultKind.JSON


class SkipReason(StrEnum):
    """Why an example is not a test; the value is what the build summary prints."""

    NO_RESPONSE = "it has no response"
    METHOD = "its method is not the operation's"
    STATUS = "its response status is not a success"
    INVALID_JSON = "a body is not valid JSON"
    NON_JSON_REQUEST = "its non-JSON request body is not generated"
    MISSING_BODY = "the operation takes a body but the example sends none"
    UNEXPECTED_BODY = "the example sends a body the operation does not document"
    REQUEST_TYPES = "its request body does not fit the documented types"
    RESPONSE_TYPES = "its response body does not fit the documented types"
    NO_OBJECT = "the documented response has no JSON object to parse"
    NO_VALUE_LIST = "the documented collection response has no `value` list"
    NON_JSON_RESPONSE = "its non-JSON response is not generated"
    NO_COUNT = "its `$count` response shows no number"
    UNDECLARED = "a documented key is not declared by its model (DG407)"
    QUERY = "its query string cannot be passed through the method"
    HEADER = "a header holds characters HTTP cannot carry"


@dataclass(frozen=True, slots=True)
class Problem:
    """A check's answer: the reason, and what to tell the docs owner about this example."""

    reason: SkipReason
    detail: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An example that is not a test, reported as DG404 (no response) or DG405."""

    example: Example
    reason: SkipReason
    detail: str

    @property
    def code(self) -> str:
        if self.reason is SkipReason.UNDECLARED:
            return "DG407"
        return "DG404" if self.reason is SkipReason.NO_RESPONSE else "DG405"

    @property
    def message(self) -> str:
        if self.reason is SkipReason.NO_RESPONSE:
            return f"example {self.example.name!r} has no response; not tested"
        if self.reason is SkipReason.UNDECLARED:
            return f"example {self.example.name!r} and its model disagree, not tested: {self.detail}"
        return f"example {self.example.name!r} not tested: {self.detail}"


@dataclass(frozen=True, slots=True)
class CheckedOperation:
    """An operation of a page with its shape and, per example, why it cannot be a test (or None)."""

    page: Page
    operation: Operation  # one of the page's operations
    shape: OperationShape
    verdicts: tuple[Skipped | None, ...]


Check = Callable[[Example, OperationShape, TypeIndex], Problem | None]


def _has_response(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    return Problem(SkipReason.NO_RESPONSE, "it has no response") if example.response is None else None


def _same_method(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    if example.request.method != shape.method:
        return Problem(SkipReason.METHOD, f"its method {example.request.method} is not the operation's {shape.method}")
    return None


def _success(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    response = _response(example)
    status = response.status
    if status in REDIRECTS and redirect_location(response) and shape.redirects:
        return None  # a documented redirect: the test follows it to the Location it names
    if status in REDIRECTS:
        return Problem(
            SkipReason.STATUS,
            f"its response status {status} is a redirect, but the operation's documented response is not one "
            "(or it names no absolute Location)",
        )
    if status is not None and not 200 <= status <= 299:
        return Problem(SkipReason.STATUS, f"its response status {status} is not a success")
    return None


REDIRECTS = (301, 302, 303, 307, 308)
_LOCATION = re.compile(r"^https?://[!-~]+$")


def redirect_location(response: Any) -> str | None:
    """The absolute URL a documented redirect response names in its Location header, if any."""
    for header in response.headers:
        if header.name.lower() == "location" and _LOCATION.match(header.value.strip()):
            return str(header.value.strip())
    return None


def _valid_json(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    for message, role in ((example.request, "request"), (_response(example), "response")):
        if message.body.kind is BodyKind.JSON and message.body.json is None:
            return Problem(SkipReason.INVALID_JSON, f"its {role} body is not valid JSON")
    return None


def _json_request(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    body = example.request.body
    if body.kind in (BodyKind.TEXT, BodyKind.BINARY):
        return Problem(
            SkipReason.NON_JSON_REQUEST, f"its {body.content_type or 'non-JSON'} request body is not generated"
        )
    return None


def _body_as_documented(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    sends = _request_json(example) is not None
    if shape.takes_body and not sends:
        return Problem(SkipReason.MISSING_BODY, "the operation takes a body but the example sends none")
    if not shape.takes_body and sends:
        return Problem(SkipReason.UNEXPECTED_BODY, "the example sends a body the operation does not document")
    return None


def _request_types(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    body = _request_json(example)
    if shape.body_model is not None and isinstance(body, dict):
        mismatch = type_mismatch(body, shape.body_model, index)
        if mismatch:
            return Problem(SkipReason.REQUEST_TYPES, f"its request body {mismatch}")
    return None


def _response_types(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    body = _response_json(example)
    model = shape.response_model
    if model is None or not isinstance(body, dict):
        return None
    mismatch = ""
    if shape.result is ResultKind.MODEL:
        body = model_object(body, model, index)
        mismatch = type_mismatch(body, model, index) if isinstance(body, dict) else ""
    elif shape.result is ResultKind.PAGER:
        for item in body.get("value") or ():
            mismatch = type_mismatch(item, model, index) if isinstance(item, dict) else "holds a non-object item"
            if mismatch:
                break
    return Problem(SkipReason.RESPONSE_TYPES, f"its response body {mismatch}") if mismatch else None


def _declared_keys(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    """Every key the example shows must be a property of its model (unless the type is open):
    a test would otherwise pass with the key carried as an untyped extra. Such a page is the
    docs' to fix, so the message names the example's line and the model's table line."""
    request_body = _request_json(example)
    if shape.body_model is not None and isinstance(request_body, dict):
        found = undeclared_key(request_body, shape.body_model, index)
        if found:
            return _undeclared(found, "request", example.request.span)
    body = _response_json(example)
    model = shape.response_model
    if model is None or not isinstance(body, dict):
        return None
    objects = [model_object(body, model, index)] if shape.result is ResultKind.MODEL else []
    if shape.result is ResultKind.PAGER:
        objects = [item for item in body.get("value") or () if isinstance(item, dict)]
    for item in objects:
        found = undeclared_key(item, model, index) if isinstance(item, dict) else None
        if found:
            return _undeclared(found, "response", _response(example).span)
    return None


def _undeclared(found: tuple[str, Model], role: str, at: Span) -> Problem:
    key, model = found
    table = model.fields[0].span if model.fields else model.span
    return Problem(
        SkipReason.UNDECLARED,
        f"the {role} at {at} holds {key!r}, which {model.name!r} (properties at {table}) does not declare",
    )


def undeclared_key(value: dict[str, Any], model: Model, index: TypeIndex, depth: int = 0) -> tuple[str, Model] | None:
    """The first key of a documented object, at any depth, that its model does not declare, with
    that model; None when every key is declared. Instance annotations (`@odata.type`,
    `members@odata.bind`) are not properties; open types and placeholder models take any key."""
    if unknown_derived(value, model, index):
        return None  # its own type's properties are unknown: it is read as the declared class
    model = derived_model(value, model, index)
    if model.open_type or key_of(model) in index.placeholders or key_of(model) in index.partial or depth > 8:
        return None
    types = {f.name: f.type for f in all_fields(model, index.models)}
    for key, item in value.items():
        if "@" in key:
            continue
        ref = types.get(key)
        if ref is None:
            return key, model
        inner = index.model(ref)
        if inner is None or item is None:
            continue
        for element in item if isinstance(item, list) else [item]:
            if isinstance(element, dict):
                found = undeclared_key(element, inner, index, depth + 1)
                if found:
                    return found
    return None


def unknown_derived(value: dict[str, Any], model: Model, index: TypeIndex) -> bool:
    """The object's `@odata.type` names a type other than `model` that no page of the input
    defines (`#microsoft.graph.emailActivityStatistics` in a list of activityStatistics)."""
    odata = value.get("@odata.type")
    if not isinstance(odata, str) or not odata.strip():
        return False
    named = odata.strip().lstrip("#").lower()
    return named != model.odata_type.lower() and index.by_odata_type(odata) is None


def model_object(body: Any, model: Model, index: TypeIndex) -> Any:
    """The documented body as the runtime reads it for `model`: the object inside a
    `{"value": {...}}` envelope (`_wire.enveloped`, the same rule), else the body itself."""

    def names_own_type(odata_type: str) -> bool:
        if odata_type.lstrip("#").lower() == model.odata_type.lower():
            return True
        named = index.by_odata_type(odata_type)
        return named is not None and key_of(model) in {key_of(m) for m in chain(named, index.models)}

    declares = any(f.name == "value" for f in all_fields(model, index.models))
    return _wire.enveloped(body, declares, names_own_type)


def derived_model(value: dict[str, Any], model: Model, index: TypeIndex) -> Model:
    """The model an object's `@odata.type` names, when it is a known type; else `model`."""
    odata = value.get("@odata.type")
    if isinstance(odata, str):
        derived = index.by_odata_type(odata)
        if derived is not None:
            return derived
    return model


def _response_as_documented(example: Example, shape: OperationShape, index: TypeIndex) -> Problem | None:
    response = _response(example)
    body = _response_json(example)
    if response.status in REDIRECTS and shape.redirects:
        return None  # followed to its Location: the method returns the bytes found there
    if shape.result is ResultKind.MODEL and not isinstance(body, dict):
        return Problem(SkipReason.NO_OBJECT, "the documented response has no JSON object to parse")
    if shape.result is ResultKind.PAGER and not (isinstance(body, dict) and isinstance(body.get("value"), list)):
        return Problem(SkipReason.NO_VALUE_LIST, "the documented collection response has no `value` list")
    if shape.result is ResultKind.COUNT and not re.fullmatch(r"\ufeff?\s*[0-9]+\s*", response.body.text or ""):
        return Problem(SkipReason.NO_COUNT, "the documented `$count` response shows no number to check")
    if shape.result is ResultKind.JSON and response.body.kind in (BodyKind.TEXT, BodyKind.BINARY):
        kind = response.body.content_type or "non-JSON"
        return Problem(SkipReason.NON_JSON_RESPONSE, f"its {kind} response is not generated")
    return None


# In order: the first check that answers decides the reason. Checks after the first two may
# assume a response (`_has_response` ran).
CHECKS: tuple[tuple[str, Check], ...] = (
    ("has-response", _has_response),
    ("same-method", _same_method),
    ("success", _success),
    ("valid-json", _valid_json),
    ("json-request", _json_request),
    ("body-as-documented", _body_as_documented),
    ("request-types", _request_types),
    ("response-types", _response_types),
    ("response-as-documented", _response_as_documented),
    ("declared-keys", _declared_keys),
)


def check_example(example: Example, shape: OperationShape, index: TypeIndex) -> Skipped | None:
    for _, check in CHECKS:
        problem = check(example, shape, index)
        if problem is not None:
            return Skipped(example=example, reason=problem.reason, detail=problem.detail)
    return None


@dataclass(frozen=True, slots=True)
class MergedCall:
    """Pages that document one REST call, one page per derived type, whose request and response
    types share a base: one method, taking and returning the nearest common bases."""

    members: tuple[int, ...]  # positions in the checked operations, the leader (first by source) first
    body: Model | None  # the nearest common base of the request bodies' models, if they have models
    response: Model | None  # that of the responses' models


def call_key(op: Operation) -> tuple[str, str]:
    """The REST call an operation documents, compared as the service compares calls: its HTTP
    method and first documented path, segments case-insensitive, every placeholder equal to
    every other (`{id}`, `{deviceConfiguration-id}`), the query and a trailing slash aside."""
    first = op.paths[0]
    plan = split_path(first.path.split("?", 1)[0])
    return first.method.upper(), "{}".join(part.lower() for part in plan.literal_parts).rstrip("/")


def _nearest_base(models: Sequence[Model | None], index: TypeIndex) -> tuple[bool, Model | None]:
    """(whether the models agree, their nearest common base): all None agree (no model);
    models agree when the first one's base chain holds a type of every other one's chain."""
    if all(m is None for m in models):
        return True, None
    if any(m is None for m in models):
        return False, None
    chains = [[key_of(c) for c in chain(m, index.models)] for m in models if m is not None]
    for candidate in chain(models[0], index.models):  # type: ignore[arg-type]
        if all(key_of(candidate) in keys for keys in chains[1:]):
            return True, candidate
    return False, None


def merged_calls(checked: Sequence[CheckedOperation], index: TypeIndex) -> list[MergedCall]:
    """The REST calls (`call_key`) that several operations document with the same result kind
    and body, whose request models (if any) and response models (if any) each share a base
    type: one method each. In source order (page path, line), independent of the input's order."""
    by_call: dict[tuple[str, str], list[int]] = {}
    for position, item in enumerate(checked):
        by_call.setdefault(call_key(item.operation), []).append(position)
    result = []
    for positions in by_call.values():
        if len(positions) < 2:
            continue
        members = sorted(positions, key=lambda i: (checked[i].operation.span.path, checked[i].operation.span.line))
        shapes = [checked[i].shape for i in members]
        if len({(s.result, s.takes_body, s.redirects) for s in shapes}) > 1:
            continue
        bodies_agree, body = _nearest_base([s.body_model for s in shapes], index)
        responses_agree, response = _nearest_base([s.response_model for s in shapes], index)
        if not bodies_agree or not responses_agree or (body is None and response is None):
            continue  # no documented types in common: named apart (DG501)
        result.append(MergedCall(members=tuple(members), body=body, response=response))
    return sorted(result, key=lambda m: m.members[0])


@dataclass(frozen=True, slots=True)
class ValidatedSpec:
    """One API version after validation: its types, and its operations with their verdicts."""

    spec: ApiSpec
    index: TypeIndex
    operations: tuple[CheckedOperation, ...]  # in page order
    merged: tuple[MergedCall, ...]  # operations documenting one call: one method each (`merged_calls`)


def validate(spec: ApiSpec) -> ValidatedSpec:
    index = TypeIndex.of(spec)
    checked = []
    for page in spec.pages:
        for operation in page.operations:
            shape = shape_of(operation, index)
            verdicts = tuple(check_example(e, shape, index) for e in operation.examples)
            checked.append(CheckedOperation(page=page, operation=operation, shape=shape, verdicts=verdicts))
    return ValidatedSpec(spec=spec, index=index, operations=tuple(checked), merged=tuple(merged_calls(checked, index)))


def eligible(example: Example) -> bool:
    """The examples docgen promises to test: a request with a response, and JSON or empty bodies
    (a `{placeholder}` in the URL gets a stand-in value). The build summary reports the share of
    these that became tests."""
    messages = (example.request, example.response)
    return example.response is not None and all(
        m.body.kind in (BodyKind.NONE, BodyKind.JSON) for m in messages if m is not None
    )


def _response(example: Example) -> Any:
    assert example.response is not None  # `_has_response` runs first
    return example.response


def _request_json(example: Example) -> Any:
    body = example.request.body
    return body.json if body.kind is BodyKind.JSON else None


def _response_json(example: Example) -> Any:
    body = _response(example).body
    return body.json if body.kind is BodyKind.JSON else None


def type_mismatch(value: dict[str, Any], model: Model, index: TypeIndex, depth: int = 0) -> str:
    """Why a documented JSON object does not fit the documented types ("" when it does).
    The model would coerce such a value (\"7\" to 7) and the round trip could not be exact."""
    odata = value.get("@odata.type")
    if odata is not None and not isinstance(odata, str):
        return f"has '@odata.type' = {odata!r:.40}, not a string"
    model = derived_model(value, model, index)
    types = {f.name: f.type for f in all_fields(model, index.models)}
    # pydantic fills a field from its Python name too: an undocumented key that is the Python
    # name of a property whose own key is absent would come back under that property's key.
    by_attribute = {
        attribute: wire for wire, attribute in naming.model_attributes(model, index.models).items() if attribute != wire
    }
    for key in value:
        if key not in types and key in by_attribute and by_attribute[key] not in value:
            return f"has {key!r}, which the model reads as property {by_attribute[key]!r} (its Python name)"
    for wire, item in value.items():
        ref = types.get(wire)
        if ref is None or item is None:
            continue
        items = item if ref.collection and isinstance(item, list) else [item]
        if ref.collection and not isinstance(item, list):
            return f"has {wire!r} as a single value where the docs type a collection"
        for element in items:
            if ref.collection and element is None and ref.kind is not TypeKind.ANY and ref.name != "Json":
                return f"has {wire!r} holding null, which a collection of {ref.name} cannot"
            problem = _value_mismatch(element, ref, index, depth)
            if problem:
                return f"has {wire!r} {problem}"
    return ""


def _value_mismatch(value: Any, ref: TypeRef, index: TypeIndex, depth: int) -> str:
    if value is None:
        return ""
    if ref.kind is TypeKind.PRIMITIVE:
        if not _wire.fits(ref.name, value):
            return f"= {value!r:.40}, not a {ref.name}"
        return ""
    model = index.model(ref)
    if model is None or index.key(ref) in index.placeholders:
        if ref.kind is TypeKind.NAMED and index.key(ref) in index.enums and not isinstance(value, str):
            return f"= {value!r:.40}, not a {ref.name} member"
        return ""
    if not isinstance(value, dict):
        return f"= {value!r:.40}, not a {ref.name} object"
    return type_mismatch(value, model, index, depth + 1) if depth < 8 else ""
