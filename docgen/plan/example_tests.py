"""Tests from documented examples: each example that `validate` passed, mapped onto the method's
arguments (path parameters from its URL, query options, headers), with the values to check.

An example whose URL or headers cannot be passed through the method is `Skipped` here, as data,
like the examples `validate` rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from docgen import naming
from docgen.escape import Code, comment, py, py_bytes
from docgen.ir import BodyKind, Example, Header, HttpResponse, Model, Parameter, TypeKind, TypeRef
from docgen.link import all_fields, key_of
from docgen.plan.files import FROZEN, FilePlan
from docgen.plan.models import ImportPlan
from docgen.plan.names import Names
from docgen.plan.operations import NOT_PARAMETERS, MethodPlan
from docgen.runtime._wire import as_is, choose_path, iso_kind, kept_as_is
from docgen.validate import (
    CheckedOperation,
    ResultKind,
    Skipped,
    REDIRECTS,
    SkipReason,
    derived_model,
    eligible,
    model_object,
    redirect_location,
)


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
    kwargs: tuple[Keyword, ...]


@dataclass(**FROZEN)
class Check:
    """`assert result.<attribute> == <literal>`, the literal parsed by the stdlib's
    `fromisoformat` of `parse` ("datetime", "date", "time") when that is set."""

    attribute: Code
    literal: Code
    parse: str = ""
    compare: str = "=="  # or "is" (None)
    bare: bool = False  # `attribute` is an expression of its own (`len(result.x)`), not result.<attribute>


@dataclass(**FROZEN)
class ExampleTest:
    number: int  # short constant names (REQUEST_1) keep lines short and black's work small
    test_name: Code
    request_const: Code
    response_const: Code
    redirect: Code | None  # a documented redirect's Location (a literal): the test follows it
    expected: Code  # what a MODEL result must round-trip to: the response, or its "value" object
    request_body: Any  # the documented JSON, printed only through `pretty`
    response_body: Any
    call: ExampleCall
    url: Code
    base_url: Code
    status: int
    response_text: str | None  # a non-JSON response body (printed only through `py_bytes`); None: JSON
    content_type: Code
    headers: tuple[Code, ...]  # `"Name": "value"` items of the headers the request must carry
    request_span: Code
    response_span: Code
    checks: tuple[Check, ...]
    construct: Construct | None  # the request body built through attributes (else the documented mapping)
    arguments: tuple[tuple[Code, Any], ...]  # locals for action parameters: (name, value or Construct)
    eligible: bool  # among the examples docgen promises to test (validate.eligible)
    mock_key: Code  # a literal: the request's `page.md:line`, as the offline mock finds it

    @property
    def response_content(self) -> Code:
        """The response body the mock transport sends: the documented JSON, or its text."""
        if self.response_text is None:
            return Code(f"json.dumps({self.response_const}).encode()")
        return py_bytes(self.response_text)


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
    imports: tuple[ImportPlan, ...]  # the response class the tests check and the classes they construct
    open_classes: Code  # a tuple literal: classes of open types, whose extras are not undeclared keys
    examples: tuple[ExampleTest, ...]
    error: ErrorTest

    @property
    def uses_json(self) -> bool:
        """Whether a test sends a JSON response (`json.dumps`)."""
        return any(ex.response_text is None for ex in self.examples)

    @property
    def parsed_kinds(self) -> tuple[Code, ...]:
        """The `datetime` classes (date, datetime, time) the checks parse expected values with."""
        return tuple(
            Code(k) for k in sorted({check.parse for ex in self.examples for check in ex.checks if check.parse})
        )


@dataclass(frozen=True, slots=True)
class PlannedTests:
    examples: tuple[ExampleTest, ...]
    error: ErrorTest
    skipped: tuple[Skipped, ...]
    through_url: tuple[Example, ...]  # examples whose URL matches no documented path (DG406)
    imports: tuple[ImportPlan, ...]  # the model classes the tests name


def plan_tests(checked: CheckedOperation, method: MethodPlan, names: Names) -> PlannedTests:
    op = checked.operation
    tests: list[ExampleTest] = []
    skipped: list[Skipped] = []
    through_url: list[Example] = []
    test_names = naming.test_names([e.name for e in op.examples], method.test_stem)
    needed: set[str] = set()  # the models the tests construct (keys of `names`)
    for example, verdict, test_name in zip(op.examples, checked.verdicts, test_names):
        if verdict is None:
            verdict, mapped = _map(example, checked, method)
        if verdict is not None:
            skipped.append(verdict)
            continue
        test = _test(example, mapped, checked, method, names, len(tests) + 1, test_name, needed)
        if mapped.url_override:
            through_url.append(example)
        tests.append(test)
    # the error test makes the first example's call, with the body as the documented mapping
    first = None
    if tests:
        body = tests[0].request_const if method.takes_body else None
        # the error test has no action locals: the documented body goes through body=
        action = {str(p.name) for p in method.body_params} | {"body", "extra_body"}
        keep = tuple(k for k in tests[0].call.kwargs if str(k.name) not in action)
        if method.body_params:
            keep, body = keep + (Keyword(name=Code("body"), value=tests[0].request_const),), None
        first = replace(tests[0].call, body=body, kwargs=keep)
    # the classes the tests name: the response class they check instances of, and those they construct
    checked_class = tests and method.result in (ResultKind.MODEL, ResultKind.PAGER)
    named = [i for i in method.imports if checked_class and i.class_name == method.response_class]
    imports = {(i.module, i.class_name): i for i in named}
    for key in sorted(needed):
        imports.setdefault(
            (names.modules[key], names.classes[key]),
            ImportPlan(module=names.modules[key], class_name=names.classes[key]),
        )
    return PlannedTests(
        examples=tuple(tests),
        error=ErrorTest(call=first or _made_up_call(method)),
        skipped=tuple(skipped),
        through_url=tuple(through_url),
        imports=tuple(sorted(imports.values(), key=lambda i: (i.module, i.class_name))),
    )


@dataclass(frozen=True, slots=True)
class _Mapped:
    """An example's URL and headers as the method's arguments."""

    args: tuple[Code, ...]
    kwargs: tuple[Keyword, ...]
    url: str
    base_url: str
    url_override: bool


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}|<([^<>/]*)>")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_STAND_IN_TYPES = {"Int32": "int", "Int64": "int", "Boolean": "bool"}


def fill_placeholders(url: str, parameters: tuple[Parameter, ...] = ()) -> str:
    """The example URL with each `{placeholder}` (or `<id>`) replaced by a deterministic, URL-safe
    stand-in derived from its name and position: `/users/{user-id}/events/{id}` ->
    `/users/user-id-1/events/id-2`. A placeholder the parameters table types as a number gets
    its position (`{days}` with `Int32` -> `1`), a Boolean `true`. The same stand-in goes into
    the call and the expected request, so the test checks the client puts it in the right place."""
    types = {naming.snake(p.name): p.type.name for p in parameters if not p.type.collection}
    position = 0

    def stand_in(match: re.Match[str]) -> str:
        nonlocal position
        name = (match.group(1) if match.group(1) is not None else match.group(2) or "").split("|")[0].strip()
        if _GUID.match(name):
            return match.group(0)  # `{66f5a359-...}` is a value (an extended property's id), not a placeholder
        position += 1
        kind = _STAND_IN_TYPES.get(types.get(naming.snake(name), ""), "str")
        if kind == "int":
            return str(position)
        if kind == "bool":
            return "true"
        slug = re.sub(r"[^a-z0-9]+", "-", naming.ascii_words(name).lower()).strip("-") or "value"
        return f"{slug[:40].rstrip('-')}-{position}"

    return _PLACEHOLDER.sub(stand_in, url)


def _map(example: Example, checked: CheckedOperation, method: MethodPlan) -> tuple[Skipped | None, Any]:
    request = example.request
    url = fill_placeholders(request.url.strip(), checked.operation.parameters)
    split = urlsplit(
        url if "://" in url else "https://graph.microsoft.com" + ("" if url.startswith("/") else "/") + url
    )
    args, kwargs, prefix = path_arguments(method, unquote(split.path))
    if prefix is not None:
        base_url = f"{split.scheme}://{split.netloc}{prefix}"
    else:
        # The docs' example calls a path the HTTP request block does not list: the test
        # sends it through the method's url= override (path parameters are then unused).
        base_url = f"{split.scheme}://{split.netloc}"
        args = [py("unused") for _ in method.required]
        kwargs.append(Keyword(name=Code("url"), value=py(split._replace(query="").geturl())))
    query = query_arguments(method, split.query)
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
    needed: set[str],
) -> ExampleTest:
    request, response = example.request, example.response
    assert response is not None  # validate skipped the others
    body = request.body.json if request.body.kind is BodyKind.JSON else None
    response_body = response.body.json if response.body.kind is BodyKind.JSON else None
    checks: list[Check] = []
    model = checked.shape.response_model
    expected = Code(f"RESPONSE_{number}")
    location = redirect_location(response) if response.status in REDIRECTS else None
    if location:
        pass  # the test checks the bytes behind the redirect
    elif method.result is ResultKind.MODEL and model is not None:
        read = model_object(response_body, model, names.index)
        if read is not response_body:  # a single object documented inside {"value": {...}}
            expected = Code(f'RESPONSE_{number}["value"]')
        checks = _attribute_checks(read, model, names)
    elif method.result is ResultKind.PAGER and model is not None:
        for position, item in enumerate(response_body["value"]):
            if isinstance(item, dict):
                checks += _attribute_checks(item, model, names, f"items[{position}].")
    construct = None
    body_model = checked.shape.body_model
    arguments: list[tuple[Code, Any]] = []
    action_kwargs: list[Keyword] = []
    if method.takes_body and body_model is not None and isinstance(body, dict):
        construct = body_construct(body, body_model, names, needed)
        if construct.undeclared:
            arguments.append((Code("_extra_body"), construct.undeclared))
            action_kwargs.append(Keyword(name=Code("extra_body"), value=Code("_extra_body")))
    elif method.body_params and isinstance(body, dict):
        # action parameters: each documented key through its typed keyword, the rest through body=
        types = {f.name: f.type for f in checked.operation.request_body.fields}  # type: ignore[union-attr]
        params = {p.wire: p for p in method.body_params}
        rest = {}
        for wire, value in body.items():
            param = params.get(wire)
            if param is None or value is None:  # a documented null is sent as such, through body=
                rest[wire] = value
                continue
            local = Code(f"_{param.name}")
            arguments.append((local, _construct_value(value, types[wire], names, needed)))
            action_kwargs.append(Keyword(name=param.name, value=local))
        if rest:
            arguments.append((Code("_body"), rest))
            action_kwargs.append(Keyword(name=Code("body"), value=Code("_body")))
    request_const, response_const = Code(f"REQUEST_{number}"), Code(f"RESPONSE_{number}")
    is_json = response.body.kind is BodyKind.JSON
    return ExampleTest(
        number=number,
        test_name=Code(f"test_{test_name}"),
        request_const=request_const,
        response_const=response_const,
        redirect=py(location) if location else None,
        expected=expected,
        request_body=body,
        response_body=response_body,
        call=ExampleCall(
            method=method.call,
            args=mapped.args,
            body=(
                (Code("body") if construct else request_const) if method.takes_body and not method.body_params else None
            ),
            kwargs=mapped.kwargs + tuple(action_kwargs),
        ),
        url=py(mapped.url),
        base_url=py(mapped.base_url),
        status=response.status or 200,
        response_text=None if is_json else response.body.text,
        content_type=py(_content_type(response)),
        headers=tuple(Code(f"{py(h)}: {py(v)}") for h, v in _sent_headers(method, request.headers)),
        request_span=comment(str(request.span)),
        response_span=comment(str(response.span)),
        checks=tuple(checks[:_MAX_CHECKS]),
        construct=construct,
        arguments=tuple(arguments),
        eligible=eligible(example),
        mock_key=py(str(request.span)),
    )


def _made_up_call(method: MethodPlan) -> ExampleCall:
    first = method.paths[0].names
    return ExampleCall(
        method=method.call,
        args=tuple(py(f"{p.name}-value") for p in method.required),
        # an upload method takes its raw body positionally, even when no request body is documented
        body=Code('b""') if method.upload else Code("{}") if method.takes_body and not method.body_params else None,
        kwargs=tuple(Keyword(name=p.name, value=py(f"{p.name}-value")) for p in method.optional if p.name in first),
    )


def path_arguments(method: MethodPlan, path: str) -> tuple[list[Code], list[Keyword], str | None]:
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


def query_arguments(method: MethodPlan, query: str) -> list[Keyword] | None:
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
    """Documented headers through their keyword (`prefer=...`); any other header the example
    sends through `headers=`, so that every header the docs show is sent and checked."""
    kwargs = []
    extra: dict[str, str] = {}
    for name, value in _sent_headers(method, headers):
        param = next((p for p in method.header_params if p.wire.lower() == name.lower()), None)
        if param is not None and not any(k.name == param.name for k in kwargs):
            kwargs.append(Keyword(name=param.name, value=py(value)))
        else:
            extra[name] = value
    if extra:
        kwargs.append(Keyword(name=Code("headers"), value=py(extra)))
    return kwargs


def _sent_headers(method: MethodPlan, headers: tuple[Header, ...]) -> list[tuple[str, str]]:
    """The example's request headers the test sends and checks: all but those the client sets
    itself (Authorization, Content-Type, ...); a name written with its colon (`Prefer:`) without it."""
    sent: dict[str, tuple[str, str]] = {}
    for header in headers:
        name = header.name.strip().rstrip(":").strip()
        if name and name.lower() not in NOT_PARAMETERS and name.lower() not in sent:
            sent[name.lower()] = (name, header.value)
    return list(sent.values())


_HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,200}$")  # what an HTTP header may carry as is


def _content_type(response: HttpResponse) -> str:
    for header in response.headers:
        if header.name.lower() == "content-type" and _HEADER_VALUE.match(header.value):
            return header.value
    return "application/json" if response.body.kind is BodyKind.JSON else "text/plain"


_MAX_CHECKS = 400  # per test: a huge documented response still gives a test of reasonable size


def _attribute_checks(body: Any, model: Model, names: Names, prefix: str = "") -> list[Check]:
    """`result.<path> == <value>` for every documented value, through the model's Python
    attributes: nested objects (`result.owner.user.display_name`) and lists (`result.items[0]`)
    recursively; datetimes, dates and times through the stdlib's `fromisoformat`; Doubles by
    float equality; enums by their value (they are `str` enums); nulls with `is None`. A
    renamed attribute or a lost wire name makes one of them fail."""
    checks: list[Check] = []
    _object_checks(body, model, names, prefix, checks, 0)
    return checks[:_MAX_CHECKS]


def _object_checks(body: dict[str, Any], model: Model, names: Names, prefix: str, out: list[Check], depth: int) -> None:
    index = names.index
    model = derived_model(body, model, index)
    models = index.models
    attributes = naming.model_attributes(model, models)
    types = {f.name: f.type for f in all_fields(model, models)}
    if isinstance(body.get("@odata.type"), str):
        out.append(Check(attribute=Code(f"{prefix}odata_type"), literal=py(body["@odata.type"])))
    for wire, value in body.items():
        ref = types.get(wire)
        if ref is None or wire not in attributes or depth > 8 or len(out) >= _MAX_CHECKS:
            continue
        path = f"{prefix}{attributes[wire]}"
        if value is None:
            out.append(Check(attribute=Code(path), literal=py(None), compare="is"))
        elif ref.collection:
            if isinstance(value, list):
                if kept_as_is(ref.name) and all(as_is(ref.name, v) for v in value):
                    out.append(Check(attribute=Code(path), literal=py(value)))
                    continue
                out.append(Check(attribute=Code(f"len(result.{path})"), literal=py(len(value)), bare=True))
                for number, item in enumerate(value):
                    _value_check(item, ref, names, f"{path}[{number}]", out, depth)
        else:
            _value_check(value, ref, names, path, out, depth)


def _value_check(value: Any, ref: TypeRef, names: Names, path: str, out: list[Check], depth: int) -> None:
    index = names.index
    if value is None:
        out.append(Check(attribute=Code(path), literal=py(None), compare="is"))
    elif ref.kind is TypeKind.PRIMITIVE:
        if as_is(ref.name, value) or (ref.name in ("Double", "Single") and _number(value)):
            out.append(Check(attribute=Code(path), literal=py(value)))
        elif kind := iso_kind(ref.name, value):
            out.append(Check(attribute=Code(path), literal=py(value), parse=kind))
    elif ref.kind is TypeKind.NAMED and index.key(ref) in index.enums and isinstance(value, str):
        out.append(Check(attribute=Code(path), literal=py(value)))
    elif isinstance(value, dict):
        nested = index.model(ref)
        if nested is not None and key_of(nested) not in index.placeholders:
            _object_checks(value, nested, names, f"{path}.", out, depth + 1)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(**FROZEN)
class Construct:
    """A request body built through the model's Python attributes: `Class(attr=value, ...)`,
    values nested as `Construct`, lists, or JSON literals; `extras` are instance annotations
    (`members@odata.bind`) and the keys of open types, passed as `**{...}`."""

    class_name: Code
    kwargs: tuple[tuple[Code, Any], ...]
    extras: Any = None
    undeclared: Any = None  # keys of a type known only in part that it does not declare: sent as extra_body


def body_construct(body: dict[str, Any], model: Model, names: Names, needed: set[str]) -> Construct:
    """The documented request body as a constructor call of its model (and of its nested
    models, whose keys are added to `needed` for importing): what a user would write, so that a
    lost or renamed property changes what the client sends."""
    index = names.index
    model = derived_model(body, model, index)
    key = key_of(model)
    needed.add(key)
    models = index.models
    attributes = naming.model_attributes(model, models)
    types = {f.name: f.type for f in all_fields(model, models)}
    kwargs: list[tuple[Code, Any]] = []
    extras: dict[str, Any] = {}
    undeclared: dict[str, Any] = {}
    open_type = model.open_type or key in index.placeholders
    for wire, value in body.items():
        ref = types.get(wire)
        if wire == "@odata.type":
            kwargs.append((Code("odata_type"), value))
        elif (ref is None or wire not in attributes) and (open_type or "@" in wire):
            extras[wire] = value
        elif ref is None or wire not in attributes:
            undeclared[wire] = value  # a type known only in part (validate let it through)
        else:
            kwargs.append((attributes[wire], _construct_value(value, ref, names, needed)))
    return Construct(
        class_name=names.classes[key], kwargs=tuple(kwargs), extras=extras or None, undeclared=undeclared or None
    )


def _construct_value(value: Any, ref: TypeRef, names: Names, needed: set[str]) -> Any:
    nested = names.index.model(ref)
    if nested is None or key_of(nested) in names.index.placeholders:
        return value
    if ref.collection and isinstance(value, list):
        return [_nested_construct(v, nested, names, needed) if isinstance(v, dict) else v for v in value]
    return _nested_construct(value, nested, names, needed) if isinstance(value, dict) else value


def _nested_construct(value: dict[str, Any], model: Model, names: Names, needed: set[str]) -> Any:
    """A nested object through its constructor; as the documented mapping when it holds keys its
    type (known only in part) does not declare, which no constructor takes."""
    built = body_construct(value, model, names, needed)
    return value if built.undeclared else built
