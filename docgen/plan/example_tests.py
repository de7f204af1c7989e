"""Tests from documented examples: each example that `validate` passed, mapped onto the method's
arguments (path parameters from its URL, query options, headers), with the values to check.

An example whose URL or headers cannot be passed through the method is `Skipped` here, as data,
like the examples `validate` rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from docgen import naming
from docgen.escape import Code, comment, py
from docgen.ir import BodyKind, Example, Header, HttpResponse, Model, TypeKind
from docgen.link import all_fields
from docgen.plan.files import FROZEN, FilePlan
from docgen.plan.names import Names
from docgen.plan.operations import MethodPlan
from docgen.runtime._wire import as_is, choose_path, iso_kind, kept_as_is
from docgen.validate import CheckedOperation, ResultKind, Skipped, SkipReason, eligible


@dataclass(**FROZEN)
class Keyword:
    name: Code
    value: Code


@dataclass(**FROZEN)
class ExampleCall:
    """`method(args, body, keyword=value)`: what a test calls on the client."""

    method: Code
    args: tuple[Code, ...]
    body: Code | None  # None: the method takes no body
    body_class: Code | None  # the body is built with `body_class.from_dict(body)`
    kwargs: tuple[Keyword, ...]


@dataclass(**FROZEN)
class Check:
    """`assert result.<attribute> == <literal>`, the literal parsed by the stdlib's
    `fromisoformat` of `parse` ("datetime", "date", "time") when that is set."""

    attribute: Code
    literal: Code
    parse: str = ""


@dataclass(**FROZEN)
class ExampleTest:
    number: int  # short constant names (REQUEST_1) keep lines short and black's work small
    test_name: Code
    request_const: Code
    response_const: Code
    request_body: Any  # the documented JSON, printed only through `pretty`
    response_body: Any
    call: ExampleCall
    url: Code
    base_url: Code
    status: int
    response_content: Code
    content_type: Code
    headers: tuple[Code, ...]  # `"Name": "value"` items of the headers the request must carry
    request_span: Code
    response_span: Code
    checks: tuple[Check, ...]
    eligible: bool  # among the examples docgen promises to test (validate.eligible)


@dataclass(**FROZEN)
class ErrorTest:
    """The error-path test: the first example's call, else one with made-up arguments."""

    call: ExampleCall


@dataclass(**FROZEN)
class PageTestsPlan(FilePlan):
    template: ClassVar[str] = "test_page.py.j2"
    package: Code
    root_package: Code
    source: str  # the page, printed only through `doc`
    method: MethodPlan
    examples: tuple[ExampleTest, ...]
    error: ErrorTest


@dataclass(frozen=True, slots=True)
class PlannedTests:
    examples: tuple[ExampleTest, ...]
    error: ErrorTest
    skipped: tuple[Skipped, ...]
    through_url: tuple[Example, ...]  # examples whose URL matches no documented path (DG406)


def plan_tests(checked: CheckedOperation, method: MethodPlan, names: Names) -> PlannedTests:
    op = checked.operation
    tests: list[ExampleTest] = []
    skipped: list[Skipped] = []
    through_url: list[Example] = []
    test_names = naming.test_names([e.name for e in op.examples], method.name)
    for example, verdict, test_name in zip(op.examples, checked.verdicts, test_names):
        if verdict is None:
            verdict, mapped = _map(example, checked, method)
        if verdict is not None:
            skipped.append(verdict)
            continue
        test = _test(example, mapped, checked, method, names, len(tests) + 1, test_name)
        if mapped.url_override:
            through_url.append(example)
        tests.append(test)
    first = tests[0].call if tests else _made_up_call(method)
    return PlannedTests(
        examples=tuple(tests), error=ErrorTest(call=first), skipped=tuple(skipped), through_url=tuple(through_url)
    )


@dataclass(frozen=True, slots=True)
class _Mapped:
    """An example's URL and headers as the method's arguments."""

    args: tuple[Code, ...]
    kwargs: tuple[Keyword, ...]
    url: str
    base_url: str
    url_override: bool


def _map(example: Example, checked: CheckedOperation, method: MethodPlan) -> tuple[Skipped | None, Any]:
    request = example.request
    url = request.url.strip()
    split = urlsplit(
        url if "://" in url else "https://graph.microsoft.com" + ("" if url.startswith("/") else "/") + url
    )
    args, kwargs, prefix = _path_arguments(method, unquote(split.path))
    if prefix is not None:
        base_url = f"{split.scheme}://{split.netloc}{prefix}"
    else:
        # The docs' example calls a path the HTTP request block does not list: the test
        # sends it through the method's url= override (path parameters are then unused).
        base_url = f"{split.scheme}://{split.netloc}"
        args = [py("unused") for _ in method.required]
        kwargs.append(Keyword(name=Code("url"), value=py(split._replace(query="").geturl())))
    query = _query_arguments(method, split.query)
    if query is None:
        return _skip(example, SkipReason.QUERY, "its query string cannot be passed through the method"), None
    kwargs += query
    kwargs += _header_arguments(method, request.headers)
    for name, value in _sent_headers(method, request.headers):
        if not _HEADER_VALUE.match(value):
            return (
                _skip(example, SkipReason.HEADER, f"its {name} header holds characters an HTTP header cannot carry"),
                None,
            )
    mapped = _Mapped(
        args=tuple(args), kwargs=tuple(kwargs), url=split.geturl(), base_url=base_url, url_override=prefix is None
    )
    return None, mapped


def _skip(example: Example, reason: SkipReason, detail: str) -> Skipped:
    return Skipped(example=example, reason=reason, detail=detail)


def _test(
    example: Example,
    mapped: _Mapped,
    checked: CheckedOperation,
    method: MethodPlan,
    names: Names,
    number: int,
    test_name: Code,
) -> ExampleTest:
    request, response = example.request, example.response
    assert response is not None  # validate skipped the others
    body = request.body.json if request.body.kind is BodyKind.JSON else None
    response_body = response.body.json if response.body.kind is BodyKind.JSON else None
    checks: tuple[Check, ...] = ()
    model = checked.shape.response_model
    if method.result is ResultKind.MODEL and model is not None:
        checks = _attribute_checks(response_body, model, names)
    request_const, response_const = Code(f"REQUEST_{number}"), Code(f"RESPONSE_{number}")
    is_json = response.body.kind is BodyKind.JSON
    return ExampleTest(
        number=number,
        test_name=Code(f"test_{test_name}"),
        request_const=request_const,
        response_const=response_const,
        request_body=body,
        response_body=response_body,
        call=ExampleCall(
            method=method.name,
            args=mapped.args,
            body=request_const if method.takes_body else None,
            body_class=method.body_class,
            kwargs=mapped.kwargs,
        ),
        url=py(mapped.url),
        base_url=py(mapped.base_url),
        status=response.status or 200,
        response_content=(
            Code(f"json.dumps({response_const}).encode()") if is_json else Code(f"{py(response.body.text)}.encode()")
        ),
        content_type=py(_content_type(response)),
        headers=tuple(Code(f"{py(h)}: {py(v)}") for h, v in _sent_headers(method, request.headers)),
        request_span=comment(str(request.span)),
        response_span=comment(str(response.span)),
        checks=checks,
        eligible=eligible(example),
    )


def _made_up_call(method: MethodPlan) -> ExampleCall:
    first = method.paths[0].names
    return ExampleCall(
        method=method.name,
        args=tuple(py(f"{p.name}-value") for p in method.required),
        body=Code("{}") if method.takes_body else None,
        body_class=None,
        kwargs=tuple(Keyword(name=p.name, value=py(f"{p.name}-value")) for p in method.optional if p.name in first),
    )


def _path_arguments(method: MethodPlan, path: str) -> tuple[list[Code], list[Keyword], str | None]:
    """Match the URL's path against the documented paths: the arguments, and the base URL
    (everything before the match), or None when no path matches."""
    for index, path_plan in enumerate(method.paths):
        match = path_plan.regex().search(path)
        if match is None:
            continue
        if choose_path([p.names for p in method.paths], set(path_plan.names)) != index:
            return [], [], None  # an alternative path the method would not pick for these arguments
        annotations = {p.name: p.annotation.name for p in method.required + method.optional}
        values = {name: _typed(value, annotations[name]) for name, value in zip(path_plan.names, match.groups())}
        args = [py(values[p.name]) for p in method.required]
        kwargs = [Keyword(name=p.name, value=py(values[p.name])) for p in method.optional if p.name in values]
        return args, kwargs, path[: match.start()]
    return [], [], None


def _typed(value: str, annotation: str) -> Any:
    """A path value from an example URL as the parameter's documented type."""
    if annotation == "int" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if annotation == "bool" and value in ("true", "false"):
        return value == "true"
    return value


def _query_arguments(method: MethodPlan, query: str) -> list[Keyword] | None:
    """`$top=5` -> top=5 when the method documents it; everything else goes through params."""
    if not query:
        return []
    options = {str(p.name) for p in method.options}
    kwargs: list[Keyword] = []
    extra: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        option = key[1:].lower() if key.startswith("$") else ""
        if option in options and not any(k.name == option for k in kwargs):
            if option in ("top", "skip"):
                if not value.isdigit():
                    return None
                kwargs.append(Keyword(name=Code(option), value=py(int(value))))
            elif option == "count":
                if value.lower() not in ("true", "false"):
                    return None
                kwargs.append(Keyword(name=Code(option), value=py(value.lower() == "true")))
            else:
                kwargs.append(Keyword(name=Code(option), value=py(value)))
        elif key in extra:
            return None  # a repeated parameter: a dict cannot carry it
        else:
            extra[key] = value
    if extra:
        kwargs.append(Keyword(name=Code("params"), value=py(extra)))
    return kwargs


def _header_arguments(method: MethodPlan, headers: tuple[Header, ...]) -> list[Keyword]:
    kwargs = []
    for param in method.header_params:
        for header in headers:
            if header.name.lower() == param.wire.lower():
                kwargs.append(Keyword(name=param.name, value=py(header.value)))
                break
    return kwargs


def _sent_headers(method: MethodPlan, headers: tuple[Header, ...]) -> list[tuple[str, str]]:
    documented = {p.wire.lower() for p in method.header_params}
    return [(h.name, h.value) for h in headers if h.name.lower() in documented]


_HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,200}$")  # what an HTTP header may carry as is


def _content_type(response: HttpResponse) -> str:
    for header in response.headers:
        if header.name.lower() == "content-type" and _HEADER_VALUE.match(header.value):
            return header.value
    return "application/json" if response.body.kind is BodyKind.JSON else "text/plain"


def _attribute_checks(body: Any, model: Model, names: Names) -> tuple[Check, ...]:
    """`result.<attr> == <value>` for documented scalar values of the type the docs declare."""
    models = names.index.models
    attributes = naming.model_attributes(model, models)
    types = {f.name: f.type for f in all_fields(model, models)}
    checks = []
    if isinstance(body.get("@odata.type"), str):
        checks.append(Check(attribute=Code("odata_type"), literal=py(body["@odata.type"])))
    for wire, value in body.items():
        ref = types.get(wire)
        if ref is None or ref.kind is not TypeKind.PRIMITIVE:
            continue
        if ref.collection != isinstance(value, list):
            continue
        items = value if ref.collection else [value]
        if kept_as_is(ref.name) and all(as_is(ref.name, v) for v in items):
            checks.append(Check(attribute=attributes[wire], literal=py(value)))
        elif not ref.collection:
            kind = iso_kind(ref.name, value)
            if kind:
                checks.append(Check(attribute=attributes[wire], literal=py(value), parse=kind))
    return tuple(checks)
