"""`docgen which "GET /me/messages?$top=5"`: from a REST call read in the docs to the generated
method that makes it, its signature, the call with the request's values, and the page and line
of the documented path. Method names come from `plan.operations.operation_names`, the one home
of names (the build and the OpenAPI export use it too)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, unquote, urlsplit

from docgen.diagnostics import Sink
from docgen.escape import Code
from docgen.ir import HttpPath
from docgen.paths import API_VERSION, split_path
from docgen.layout import client_call
from docgen.plan.example_tests import ExampleCall, Keyword, path_arguments, query_arguments
from docgen.plan.names import Names
from docgen.plan.operations import MethodPlan, merged_method, operation_names, plan_method
from docgen.plan.placement import Placement
from docgen.validate import CheckedOperation, MergedCall, ResultKind, ValidatedSpec

_REQUEST = re.compile(r"^\s*([A-Za-z]+)\s+(\S.*?)\s*$")
_PLACEHOLDER = re.compile(r"""["'](\{[^{}]*\}|<[^<>]*>)["']""")  # a literal of an unfilled placeholder
_VERSION = re.compile(rf"^/({API_VERSION})(?=/|$)", re.IGNORECASE)


class RequestLineError(ValueError):
    """The text is not `METHOD /path[?query]` (a usage error)."""


@dataclass(frozen=True, slots=True)
class Request:
    """A request line as `which` reads it: the method, the path below any host and API version
    segment (decoded), the query, and the version the URL named (or "")."""

    method: str
    path: str
    query: str
    version: str

    @property
    def line(self) -> str:
        return f"{self.method} {self.path}" + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True, slots=True)
class Found:
    """A generated method that makes the call, and the documented path it matched."""

    module: str  # the dotted package whose clients have the method (graph_client.v1_0)
    version: str
    method: MethodPlan
    path: HttpPath
    literal: int  # how much of the matched path is literal text: more is more specific


def parse_request(text: str) -> Request:
    """`GET /me/messages?$top=5`, `get https://graph.microsoft.com/v1.0/me/messages`, ..."""
    match = _REQUEST.match(text)
    if match is None:
        raise RequestLineError(f"{text!r} is not a request line such as 'GET /me/messages?$top=5'")
    method, target = match.group(1).upper(), match.group(2)
    split = urlsplit(target if "://" in target else "https://graph.microsoft.com/" + target.lstrip("/"))
    path = unquote(split.path) or "/"
    version = ""
    found = _VERSION.match(path)
    if found is not None:
        version, path = found.group(1).lower(), path[found.end() :] or "/"
    return Request(method=method, path=path, query=split.query, version=version)


@dataclass(frozen=True, slots=True)
class _Line:
    version: str
    module: str
    checked: CheckedOperation
    name: Code
    path: HttpPath
    pattern: re.Pattern[str]
    literal: int
    call: MergedCall | None = None  # the merged call whose leader this is: the one method of its pages


@dataclass(frozen=True, slots=True)
class Index:
    """Every documented request line of the specs, with its method's name (made once)."""

    specs: dict[str, ValidatedSpec]
    lines: tuple[_Line, ...]
    names: dict[str, Names]

    @classmethod
    def of(cls, specs: dict[str, ValidatedSpec], package: str) -> Index:
        lines = []
        names_of: dict[str, Names] = {}
        for version, validated in sorted(specs.items()):
            module = Placement(package, version).dotted
            checked = validated.operations
            call_of = {i: call for call in validated.merged for i in call.members}
            names_of[version] = Names.of(validated.spec, validated.index)
            method_names = operation_names(validated, Sink(), names_of[version])  # DG501 is the build's
            for position, (item, name) in enumerate(zip(checked, method_names)):
                call = call_of.get(position)
                if call is not None and call.members[0] != position:
                    continue  # a merged call is its leader's one method
                for path in item.operation.paths:
                    if path.method == item.shape.method:
                        plan = split_path(path.path)
                        literal = sum(len(part) for part in plan.literal_parts)
                        lines.append(_Line(version, module, item, name, path, plan.regex(), literal, call))
        return cls(specs=specs, lines=tuple(lines), names=names_of)


def which(index: Index, request: Request) -> list[Found]:
    """The methods whose documented path fits the request (segments compare
    case-insensitively, a placeholder fits any segment, a trailing slash does not count), the
    most specific; only those of the URL's API version when it names one that is documented.
    One path line per method: the one whose documented query has the request's keys, else
    the first."""
    versions = {v.lower(): v for v in index.specs}
    only = versions.get(request.version) if request.version else None
    fits = [
        line
        for line in index.lines
        if line.path.method == request.method
        and (only is None or line.version == only)
        and line.pattern.fullmatch(request.path) is not None
    ]
    best = max((line.literal for line in fits), default=0)
    wanted = _query_keys(request.query)
    chosen: dict[tuple[str, str], _Line] = {}
    for line in fits:
        key = (line.module, str(line.name.call))
        if line.literal != best:
            continue
        if key not in chosen or (_query_keys(line.path.query) == wanted != _query_keys(chosen[key].path.query)):
            chosen[key] = line
    return [
        Found(
            module=line.module, version=line.version, method=_method(index, line), path=line.path, literal=line.literal
        )
        for line in chosen.values()
    ]


def _method(index: Index, line: _Line) -> MethodPlan:
    names = index.names[line.version]
    method = plan_method(line.checked.operation, line.checked.shape, line.name, names)
    if line.call is None:
        return method
    return merged_method(method, line.call, index.specs[line.version].operations, names)


def _query_keys(query: str) -> set[str]:
    return {k.lower() for k, _ in parse_qsl(query.lstrip("?"), keep_blank_values=True)}


def closest(index: Index, request: Request, n: int = 5) -> list[tuple[str, HttpPath]]:
    """The documented request lines most like the request (`METHOD /path`, with their
    source), ranked as the offline mock ranks them for its 404s."""
    from docgen.runtime.testing import nearest

    lines: dict[str, HttpPath] = {}
    for line in index.lines:
        lines.setdefault(f"{line.path.method} {line.path.path}", line.path)
    return [(text, lines[text]) for text in nearest(f"{request.method} {request.path}", sorted(lines), n)]


def returns(method: MethodPlan, is_async: bool = False) -> str:
    """The method's return annotation, as `operations.py.j2` prints it."""
    if method.download:
        return "bytes"
    kinds = {
        ResultKind.MODEL: str(method.response_class),
        ResultKind.PAGER: f"{'AsyncPager' if is_async else 'Pager'}[{method.response_class}]",
        ResultKind.NONE: "None",
        ResultKind.BYTES: "bytes",
        ResultKind.COUNT: "int",
    }
    return kinds.get(method.result, "Any")


def signature(method: MethodPlan) -> str:
    """`name(required, body, *, keywords...) -> Result`, the per-call options left out."""
    from docgen.render import annotation

    positional = [f"{p.name}: {annotation(p.annotation)}" for p in method.required]
    if method.upload:
        positional.append("body: Content")
    elif method.takes_body and not method.body_params:
        kinds = [str(method.body_class)] if method.body_class else []
        positional.append("body: " + " | ".join([*kinds, "Mapping[str, Any]"]))
    elif method.body_params:
        positional.append("body: Mapping[str, Any] | None = None")
    keywords = [f"{p.name}: {annotation(p.annotation)} | None = None" for p in method.optional + method.options]
    keywords += [f"{p.name}: {annotation(p.annotation)} | None = None" for p in method.body_params]
    keywords += [f"{h.name}: str | None = None" for h in method.header_params]
    keywords.append("params=None, headers=None, url=None, timeout=None, max_retries=None")
    parameters = ", ".join([*positional, "*", *keywords])
    return f"{method.call}({parameters}) -> {returns(method)}".replace("_t.", "").replace("_rt.", "")


def call(found: Found, request: Request) -> str | None:
    """The call that sends this request: `graph.messages.list(top=5)` (the path's values as
    arguments, the query as keywords), mapped as the example tests map example URLs; None
    when the query cannot be passed through the method."""
    # the arguments of the documented path that matched (whose parameters make the method pick it)
    only = replace(found.method, paths=(split_path(found.path.path),))
    args, kwargs, prefix = path_arguments(only, request.path)
    if prefix is None:
        return None
    query = query_arguments(found.method, request.query)
    if query is None:
        return None
    # an unfilled placeholder (`{user-id}`) is shown as the parameter it goes into
    args = [Code(p.name) if _PLACEHOLDER.fullmatch(a) else a for a, p in zip(args, found.method.required)]
    kwargs = [Keyword(name=k.name, value=Code(k.name)) if _PLACEHOLDER.fullmatch(k.value) else k for k in kwargs]
    body = Code("body") if found.method.takes_body and not found.method.body_params else None
    example = ExampleCall(method=found.method.call, args=tuple(args), body=body, kwargs=tuple(kwargs + query))
    return "graph." + client_call(example, 0, len("graph."), after="")
