"""Tests from documented examples: which examples can become tests, and the literals they use.

An example becomes a test when its request and response can be replayed exactly: JSON (or
empty) bodies, a URL that matches a documented path with no unfilled placeholder. Every
other example is listed with its reason (DG404/DG405), never silently dropped."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from docgen import naming
from docgen.diagnostics import Sink
from docgen.ir import BodyKind, Example, Model, TypeKind
from docgen.plan.models import Names, all_fields, field_attributes
from docgen.plan.operations import OperationPlan
from docgen.render import LINE_LENGTH, Code, comment, fit, pretty, py

_PLACEHOLDER_MARKS = ("{", "}", "<", ">")


def eligible(example: Example) -> bool:
    """The examples docgen promises to test: a request with a response, JSON or empty bodies,
    and a URL with no unfilled placeholder. The build summary reports the share of these that
    became tests."""
    messages = (example.request, example.response)
    return (
        example.response is not None
        and not any(mark in example.request.url for mark in _PLACEHOLDER_MARKS)
        and all(m.body.kind in (BodyKind.NONE, BodyKind.JSON) for m in messages if m is not None)
    )


def example_views(plan: OperationPlan, names: Names, sink: Sink) -> list[dict[str, Any]]:
    op = plan.page.operation
    assert op is not None
    views = []
    test_names = naming.test_names([e.name for e in op.examples], plan.view["name"])
    for example, test_name in zip(op.examples, test_names):
        if example.response is None:
            sink.report("DG404", example.span, f"example {example.name!r} has no response; not tested")
            continue
        reason, view = _example(example, plan, names)
        if reason:
            sink.report("DG405", example.span, f"example {example.name!r} not tested: {reason}")
            continue
        if view["url_override"]:
            sink.report(
                "DG406",
                example.span,
                f"example {example.name!r} calls a URL that matches no documented path; tested through url=",
            )
        view["eligible"] = eligible(example)
        number = len(views) + 1  # short names keep lines short (and black's work small)
        request_const, response_const = Code(f"REQUEST_{number}"), Code(f"RESPONSE_{number}")
        view.update(
            number=number,
            test_name=Code(f"test_{test_name}"),
            request_const=request_const,
            response_const=response_const,
            call_body=_call_body(plan.view, request_const),
        )
        call = _call(plan.view, view, indent=4, used=len("return client."))
        too_long = "\n" not in call and 4 + len("return client.") + len(call) > LINE_LENGTH
        # black puts a return value that cannot be split in parentheses of its own
        view["return_call"] = Code(f"return (\n        client.{call}\n    )" if too_long else f"return client.{call}")
        if view["response_is_json"]:
            view["response_content"] = Code(f"json.dumps({response_const}).encode()")
        views.append(view)
    plan.view["error_call"] = error_call = _error_call(plan, views)
    error_call["call"] = _call(plan.view, error_call, indent=12, used=len("lambda client: client."), after=",")
    return views


def _call(op: dict[str, Any], call: dict[str, Any], *, indent: int, used: int, after: str = "") -> Code:
    """`method(args, body, keyword=value)`, laid out as black would on a line that starts at
    `indent` with `used` columns before the call and `after` behind it."""
    kwargs = [f"{kw['name']}={kw['value']}" for kw in call["kwargs"]]
    body = [call["call_body"]] if op["has_body"] else []
    code = fit(f"{op['name']}(", [*call["args"], *body, *kwargs], ")", indent, used, after)
    if "\n" in code and body and isinstance(call["call_body"], BodyCall):
        # one argument per line, and the body's own call split too when its line is too long
        body = [call["call_body"].laid_out(indent + 4)]
        code = fit(f"{op['name']}(", [*call["args"], *body, *kwargs], ")", indent, used, after)
    return code


class BodyCall(Code):
    """`Model.from_dict(REQUEST_n)`, which knows how to split itself."""

    __slots__ = ()

    def laid_out(self, indent: int) -> Code:
        """As an argument on a line of its own at indent (followed by a comma)."""
        opening, const = self[:-1].rsplit("(", 1)
        return fit(f"{opening}(", [const], ")", indent, after=",")


def _call_body(view: dict[str, Any], const: Code) -> Code:
    return BodyCall(f"{view['body_class']}.from_dict({const})") if view["body_class"] else const


def _error_call(plan: OperationPlan, views: list[dict[str, Any]]) -> dict[str, Any]:
    """Arguments for the error-path test: the first example's, else made-up ones."""
    if views:
        return {"args": views[0]["args"], "kwargs": views[0]["kwargs"], "call_body": views[0]["call_body"]}
    first = plan.paths[0].names
    return {
        "args": [py(f"{name}-value") for name in plan.view["required"]],
        "kwargs": [{"name": n, "value": py(f"{n}-value")} for n in plan.view["optional"] if n in first],
        "call_body": Code("{}"),
    }


def _example(example: Example, plan: OperationPlan, names: Names) -> tuple[str, dict[str, Any]]:
    request, response = example.request, example.response
    assert response is not None
    view = plan.view
    if request.method != plan.page.operation.method:  # type: ignore[union-attr]
        return f"its method {request.method} is not the operation's {plan.page.operation.method}", {}  # type: ignore[union-attr]
    url = request.url.strip()
    if any(mark in url for mark in _PLACEHOLDER_MARKS):
        return "its URL still holds a {placeholder}", {}
    if response.status is not None and not 200 <= response.status <= 299:
        return f"its response status {response.status} is not a success", {}
    for message, role in ((request, "request"), (response, "response")):
        if message.body.kind is BodyKind.JSON and message.body.json is None:
            return f"its {role} body is not valid JSON", {}
    if request.body.kind in (BodyKind.TEXT, BodyKind.BINARY):
        return f"its {request.body.content_type or 'non-JSON'} request body is not generated", {}
    split = urlsplit(
        url if "://" in url else "https://graph.microsoft.com" + ("" if url.startswith("/") else "/") + url
    )
    args, kwargs, prefix = _path_arguments(plan, unquote(split.path))
    if prefix is not None:
        base_url = f"{split.scheme}://{split.netloc}{prefix}"
    else:
        # The docs' example calls a path the HTTP request block does not list: the test
        # sends it through the method's url= override (path parameters are then unused).
        base_url = f"{split.scheme}://{split.netloc}"
        args = [py("unused") for _ in plan.view["required"]]
        kwargs.append({"name": Code("url"), "value": py(split._replace(query="").geturl())})

    query = _query_arguments(plan, split.query)
    if query is None:
        return "its query string cannot be passed through the method", {}
    kwargs += query
    kwargs += _header_arguments(plan, request.headers)
    for name, value in _sent_headers(plan, request.headers):
        if not _HEADER_VALUE.match(value):
            return f"its {name} header holds characters an HTTP header cannot carry", {}
    body = request.body.json if request.body.kind is BodyKind.JSON else None
    if view["has_body"] and body is None:
        return "the operation takes a body but the example sends none", {}
    if not view["has_body"] and body is not None:
        return "the example sends a body the operation does not document", {}
    returns = view["returns"]
    response_body = response.body.json if response.body.kind is BodyKind.JSON else None
    body_key = view["body_key"]
    if body_key and isinstance(body, dict):
        mismatch = type_mismatch(body, names.models[body_key], names)
        if mismatch:
            return f"its request body {mismatch}", {}
    response_key = view["response_key"]
    if response_key and returns == "model" and isinstance(response_body, dict):
        mismatch = type_mismatch(response_body, names.models[response_key], names)
        if mismatch:
            return f"its response body {mismatch}", {}
    if response_key and returns == "pager" and isinstance(response_body, dict):
        for item in response_body.get("value") or ():
            mismatch = (
                type_mismatch(item, names.models[response_key], names)
                if isinstance(item, dict)
                else "holds a non-object item"
            )
            if mismatch:
                return f"its response body {mismatch}", {}
    checks: list[dict[str, Code]] = []
    if returns == "model":
        if not isinstance(response_body, dict):
            return "the documented response has no JSON object to parse", {}
        model = names.models.get(response_key or "")
        checks = _attribute_checks(response_body, model, names) if model else []
    elif returns == "pager":
        if not (isinstance(response_body, dict) and isinstance(response_body.get("value"), list)):
            return "the documented collection response has no `value` list", {}
    elif returns == "none" and response.body.kind is not BodyKind.NONE:
        return "the response has a body the operation does not document", {}
    elif returns == "json" and response.body.kind in (BodyKind.TEXT, BodyKind.BINARY):
        return f"its {response.body.content_type or 'non-JSON'} response is not generated", {}
    is_json = response.body.kind is BodyKind.JSON
    return "", {
        "url_override": prefix is None,
        "request_span": comment(str(request.span)),
        "response_span": comment(str(response.span)),
        "url": py(split.geturl()),
        "base_url": py(base_url),
        "args": args,
        "kwargs": kwargs,
        "request_literal": pretty(body),
        "headers_literal": fit(
            "{", [f"{py(h)}: {py(v)}" for h, v in _sent_headers(plan, request.headers)], "}", 8, 0, ","
        ),
        "status": response.status or 200,
        "response_literal": pretty(response_body),
        "response_is_json": is_json,
        "response_content": Code(f"{py(response.body.text)}.encode()"),
        "content_type": py(_content_type(response)),
        "checks": checks,
    }


def _path_arguments(plan: OperationPlan, path: str) -> tuple[list[Code], list[dict[str, Code]], str | None]:
    """Match the URL's path against the documented paths: the arguments, and the base URL
    (everything before the match), or None when no path matches."""
    for path_plan in plan.paths:
        match = path_plan.regex().search(path)
        if match is None:
            continue
        if _chosen_path(plan, set(path_plan.names)) is not path_plan:
            return [], [], None  # an alternative path the method would not pick for these arguments
        annotations = plan.view["annotations"]
        values = {name: _typed(value, annotations[name]) for name, value in zip(path_plan.names, match.groups())}
        args = [py(values[name]) for name in plan.view["required"]]
        kwargs = [{"name": name, "value": py(values[name])} for name in plan.view["optional"] if name in values]
        return args, kwargs, path[: match.start()]
    return [], [], None


def _typed(value: str, annotation: str) -> Any:
    """A path value from an example URL as the parameter's documented type."""
    if annotation == "int" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if annotation == "bool" and value in ("true", "false"):
        return value == "true"
    return value


def _chosen_path(plan: OperationPlan, given: set[str]):
    """The path the runtime's build_path picks for these parameter names."""
    best = None
    for path_plan in plan.paths:
        names = set(path_plan.names)
        if names <= given and (best is None or len(names) > len(set(best.names))):
            best = path_plan
    return best


def _query_arguments(plan: OperationPlan, query: str) -> list[dict[str, Code]] | None:
    """`$top=5` -> top=5 when the method documents it; everything else goes through params."""
    if not query:
        return []
    kwargs: list[dict[str, Code]] = []
    extra: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        option = key[1:].lower() if key.startswith("$") else ""
        if option in plan.options and not any(k["name"] == option for k in kwargs):
            if option in ("top", "skip"):
                if not value.isdigit():
                    return None
                kwargs.append({"name": Code(option), "value": py(int(value))})
            elif option == "count":
                if value.lower() not in ("true", "false"):
                    return None
                kwargs.append({"name": Code(option), "value": py(value.lower() == "true")})
            else:
                kwargs.append({"name": Code(option), "value": py(value)})
        elif key in extra:
            return None  # a repeated parameter: a dict cannot carry it
        else:
            extra[key] = value
    if extra:
        kwargs.append({"name": Code("params"), "value": py(extra)})
    return kwargs


def _header_arguments(plan: OperationPlan, headers) -> list[dict[str, Code]]:
    kwargs = []
    for wire, keyword in plan.header_params:
        for header in headers:
            if header.name.lower() == wire.lower():
                kwargs.append({"name": keyword, "value": py(header.value)})
                break
    return kwargs


def _sent_headers(plan: OperationPlan, headers) -> list[tuple[str, str]]:
    documented = {wire.lower() for wire, _ in plan.header_params}
    return [(h.name, h.value) for h in headers if h.name.lower() in documented]


_HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,200}$")  # what an HTTP header may carry as is


def _content_type(response) -> str:
    for header in response.headers:
        if header.name.lower() == "content-type" and _HEADER_VALUE.match(header.value):
            return header.value
    return "application/json" if response.body.kind is BodyKind.JSON else "text/plain"


def type_mismatch(value: dict[str, Any], model: Model, names: Names, depth: int = 0) -> str:
    """Why a documented JSON object does not fit the documented types ("" when it does).
    The model would coerce such a value (\"7\" to 7) and the round trip could not be exact."""
    odata = value.get("@odata.type")
    if odata is not None and not isinstance(odata, str):
        return f"has '@odata.type' = {odata!r:.40}, not a string"
    if isinstance(odata, str):
        derived = names.models.get(odata.lstrip("#").rsplit(".", 1)[-1].lower())
        if derived is not None:
            model = derived
    types = {f.name: f.type for f in all_fields(model, names.models)}
    # pydantic fills a field from its Python name too: an undocumented key that is the Python
    # name of a property whose own key is absent would come back under that property's key.
    by_attribute = {
        attribute: wire for wire, attribute in field_attributes(model, names.models).items() if attribute != wire
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
            problem = _value_mismatch(element, ref, names, depth)
            if problem:
                return f"has {wire!r} {problem}"
    return ""


def _value_mismatch(value: Any, ref, names: Names, depth: int) -> str:
    if value is None:
        return ""
    if ref.kind is TypeKind.PRIMITIVE:
        check = _CHECKERS.get(ref.name) or _LOOSE_CHECKERS.get(ref.name)
        if check is not None and not check(value):
            return f"= {value!r:.40}, not a {ref.name}"
        return ""
    key = names.model_key(ref)
    if key is None or key in names.placeholders:
        if ref.kind is TypeKind.NAMED and ref.name.lower() in names.enums and not isinstance(value, str):
            return f"= {value!r:.40}, not a {ref.name} member"
        return ""
    if not isinstance(value, dict):
        return f"= {value!r:.40}, not a {ref.name} object"
    return type_mismatch(value, names.models[key], names, depth + 1) if depth < 8 else ""


# The shapes and values the generated runtime's wire types accept: the same patterns as
# templates/runtime.py.j2 (a test keeps them equal), and the values must exist (no 30 February,
# no offset of 25 hours), or the documented value would fail to parse, not round-trip.
_NUM = r"(\d+(?:\.\d+)?)"
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?")
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})" r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?" r"([Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DURATION_RE = re.compile(
    rf"([-+])?P(?!$)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
    rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?"
)
_DURATION_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


def _exists(build: Callable[[], object]) -> bool:
    try:
        build()
    except (ValueError, OverflowError, ArithmeticError):
        return False
    return True


def _date_value(value: Any) -> bool:
    match = _DATE_RE.fullmatch(value) if isinstance(value, str) else None
    return match is not None and _exists(lambda: _dt.date(*map(int, match.groups())))


def _time_value(value: Any) -> bool:
    match = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
    return match is not None and _exists(lambda: _dt.time(int(match[1]), int(match[2]), int(match[3] or 0)))


def _datetime_value(value: Any) -> bool:
    match = _DATETIME_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return False
    year, month, day, hour, minute, second, _, offset = match.groups()

    def build() -> None:
        zone = None
        if offset and offset not in ("Z", "z"):
            digits = offset[1:].replace(":", "")
            zone = _dt.timezone(_dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
        _dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=zone)

    return _exists(build)


def _duration_value(value: Any) -> bool:
    match = _DURATION_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return False

    def build() -> None:
        seconds = sum((Decimal(p) * unit for p, unit in zip(match.groups()[1:], _DURATION_UNITS) if p), Decimal(0))
        _dt.timedelta(microseconds=int(seconds * 1_000_000))

    return _exists(build)


_LOOSE_CHECKERS = {
    "Double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Single": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "DateTimeOffset": _datetime_value,
    "Date": _date_value,
    "TimeOfDay": _time_value,
    "Duration": _duration_value,
    "Binary": lambda v: isinstance(v, str),
    "Stream": lambda v: isinstance(v, str),
}

_CHECKERS = {
    "String": lambda v: isinstance(v, str),
    "Guid": lambda v: isinstance(v, str),
    "Int32": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
}
# Values the stdlib's fromisoformat reads the same way on every supported Python: the
# generated test compares against it, an oracle independent of the generated runtime.
_ISO = {
    "DateTimeOffset": (
        "datetime",
        re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$"),
    ),
    "Date": ("date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    "TimeOfDay": ("time", re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")),
}


def _attribute_checks(body: dict[str, Any], model: Model, names: Names) -> list[dict[str, Code]]:
    """`result.<attr> == <value>` for documented scalar values of the type the docs declare."""
    attributes = field_attributes(model, names.models)
    types = {f.name: f.type for f in all_fields(model, names.models)}
    checks = []
    if isinstance(body.get("@odata.type"), str):
        checks.append(_check(Code("odata_type"), py(body["@odata.type"])))
    for wire, value in body.items():
        ref = types.get(wire)
        if ref is None or ref.kind is not TypeKind.PRIMITIVE:
            continue
        if ref.collection != isinstance(value, list):
            continue
        items = value if ref.collection else [value]
        if ref.name in _CHECKERS and all(_CHECKERS[ref.name](v) for v in items):
            checks.append(_check(attributes[wire], py(value)))
        elif ref.name in _ISO and not ref.collection and isinstance(value, str):
            kind, pattern = _ISO[ref.name]
            if pattern.match(value):
                checks.append(_check(attributes[wire], py(value), f"_{kind}.fromisoformat("))
    return checks


def _check(attribute: str, literal: str, call: str = "") -> dict[str, Code]:
    """`assert result.<attribute> == <expected>`, laid out as black would lay it out."""
    expected = f"{call}{literal})" if call else literal
    line = f"    assert result.{attribute} == {expected}"
    if len(line) <= LINE_LENGTH or "\n" in literal:
        statement = line
    elif call and len(f"    assert result.{attribute} == {call}") <= LINE_LENGTH:
        statement = f"    assert result.{attribute} == {call}\n        {literal}\n    )"
    elif not literal.startswith(("[", "{", "(")):
        inside = f"result.{attribute} == {expected}"
        if 8 + len(inside) <= LINE_LENGTH:
            statement = f"    assert (\n        {inside}\n    )"
        else:
            statement = f"    assert (\n        result.{attribute}\n        == {expected}\n    )"
    else:
        statement = line  # black lays it out
    return {"statement": Code(statement.removeprefix("    "))}
