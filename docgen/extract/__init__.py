"""Stage 3: one page's blocks -> its IR (`Page`). Each fact keeps the line it was read from."""

from __future__ import annotations

import dataclasses
import re

from dataclasses import dataclass

from docgen.blocks import Comment, Fence, Heading, Paragraph, parse_document
from docgen.diagnostics import Sink
from docgen.extract.accounting import account
from docgen.extract.annotations import read_annotation
from docgen.extract.examples import bare_response, classify, is_example_fence, pair_examples, parse_http
from docgen.extract.operations import (
    extract_headers,
    extract_parameters,
    extract_paths,
    extract_permissions,
    extract_request_body,
    extract_response,
)
from docgen.extract.resources import extract_enums, extract_model, type_name_from_title
from docgen.extract.sections import Concept, Placed, concept_of, place
from docgen.ir import (
    BodyKind,
    Example,
    HttpMessage,
    HttpPath,
    HttpRequest,
    HttpResponse,
    Model,
    ModelOrigin,
    Operation,
    Page,
    PageKind,
    Response,
    Span,
    TypeKind,
    TypeRef,
)
from docgen.paths import ABSOLUTE_URL, split_path
from docgen.read import PageContext, Source

_NAMESPACE = re.compile(r"^Namespace:\s*`?([A-Za-z][\w.]*)`?", re.IGNORECASE)
_VERSION = re.compile(r"(?:^|/)(beta|v\d+\.\d+)(?:/|$)")
_DOC_TYPES = {
    "apipagetype": PageKind.OPERATION,
    "resourcepagetype": PageKind.RESOURCE,
    "enumpagetype": PageKind.ENUM,
    "conceptualpagetype": PageKind.CONCEPTUAL,
}


def extract_page(source: Source, sink: Sink) -> Page:
    ctx = PageContext.of(source, sink)
    document = parse_document(ctx, source.text)
    placed = place(document.blocks)
    annotations, bound = _annotations(ctx, document.blocks)
    page = _page(ctx, source, document, placed, annotations)
    return dataclasses.replace(page, blocks=account(ctx, placed, annotations, bound, page))


def _page(ctx: PageContext, source: Source, document, placed: list[Placed], annotations) -> Page:
    blocks = document.blocks
    front = document.front_matter
    heading = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")
    heading_line = next((b.line for b in blocks if isinstance(b, Heading) and b.level == 1), 1)
    title = front.get("title") or heading
    namespace = _namespace(blocks)
    kind = _kind(front.get("doc_type", ""), placed, heading)
    description = front.get("description", "") or _first_paragraph(placed)
    version_match = _VERSION.search(source.rel)
    common = dict(
        path=source.rel,
        title=title,
        description=description,
        doc_type=front.get("doc_type", ""),
        heading=heading,
        namespace=namespace,
        version=version_match.group(1) if version_match else "",
        span=ctx.span(heading_line),
    )
    if kind is PageKind.OPERATION:
        operations = _operations(ctx, title, description, placed, annotations, heading_line)
        models = tuple(m for op in operations for m in _request_body_models(op, namespace))
        models = tuple({(m.name.lower(), m.namespace.lower()): m for m in reversed(models)}.values())[::-1]
        enums = extract_enums(ctx, None, namespace, placed)
        if not common["version"] and operations:
            common["version"] = _example_version(operations[0])
        return Page(kind=kind, operations=operations, models=models, enums=enums, **common)
    if kind in (PageKind.RESOURCE, PageKind.ENUM):
        type_name = type_name_from_title(heading) or type_name_from_title(title)
        models: tuple[Model, ...] = ()
        if kind is PageKind.RESOURCE:
            model = extract_model(ctx, type_name, namespace, placed, annotations, description, heading_line)
            models = (model,) if model else ()
        enums = extract_enums(ctx, type_name if kind is PageKind.ENUM else None, namespace, placed)
        if not models and not enums:
            ctx.report(
                "DG102", heading_line, "no properties table and no members table: nothing generated from this page"
            )
        return Page(kind=kind, models=models, enums=enums, **common)
    ctx.report("DG102", heading_line, "conceptual page: nothing generated from it")
    return Page(kind=kind, **common)


_URL_VERSION = re.compile(r"^https?://[^/]+/(beta|v\d+\.\d+)/", re.IGNORECASE)


def _example_version(operation: Operation) -> str:
    """The API version the examples call, when the folder does not say (first example wins)."""
    for example in operation.examples:
        match = _URL_VERSION.match(example.request.url)
        if match:
            return match.group(1).lower()
    return ""


def _namespace(blocks) -> str:
    for block in blocks[:12]:
        if isinstance(block, Paragraph):
            match = _NAMESPACE.match(block.inline.text)
            if match:
                return match.group(1)
    return "microsoft.graph"


def _first_paragraph(placed: list[Placed]) -> str:
    for item in placed:
        if isinstance(item.block, Paragraph) and not _NAMESPACE.match(item.block.inline.text):
            return item.block.inline.text
    return ""


def _kind(doc_type: str, placed: list[Placed], heading: str) -> PageKind:
    declared = _DOC_TYPES.get(doc_type.lower().strip("_ ").rstrip("_"))
    if declared is not None:
        return declared
    # Missing or misspelt doc_type: decide by content.
    if any(item.outer is Concept.HTTP_REQUEST for item in placed):
        return PageKind.OPERATION
    lowered = heading.lower()
    if "enum" in lowered:
        return PageKind.ENUM
    if type_name_from_title(heading) or any(item.outer is Concept.PROPERTIES for item in placed):
        return PageKind.RESOURCE
    return PageKind.CONCEPTUAL


def _annotations(ctx: PageContext, blocks) -> tuple[dict[int, tuple], dict[int, int]]:
    """Annotation of each fence, keyed by the fence's line. An annotation binds to the next fence
    even across a line of prose, but never across another fence or heading. Also: each
    annotation's line -> the line of the fence it binds to (0 for none)."""
    result: dict[int, tuple] = {}
    bound: dict[int, int] = {}
    pending: tuple | None = None
    pending_line = 0
    for block in blocks:
        if isinstance(block, Comment):
            annotation = read_annotation(ctx, block) if block.closed else None
            if annotation is not None:
                if pending is not None:
                    bound[pending_line] = 0  # replaced by this one before any fence
                pending, pending_line = annotation, block.line
        elif isinstance(block, Fence):
            if pending is not None:
                result[block.line] = pending
                bound[pending_line] = block.line
            pending = None
        elif isinstance(block, Heading):
            if pending is not None:
                bound[pending_line] = 0
            pending = None
    if pending is not None:
        bound[pending_line] = 0
    return result, bound


@dataclass(frozen=True, slots=True)
class _Scope:
    """The blocks of one documented operation: those under its HTTP request heading, or under the
    heading that holds it (`## Upload bytes` / `### HTTP request`). Blocks outside every scope are
    shared by the page's operations."""

    request: Heading | None  # None: the page has at most one HTTP request heading
    owner: Heading | None  # the non-concept heading the request heading sits under, if any


def _scopes(placed: list[Placed]) -> list[_Scope]:
    requests: list[Heading] = []
    owners: dict[int, Heading | None] = {}
    for item in placed:
        at = _request_heading(item)
        if at is None or item.headings[at] in requests:
            continue
        heading = item.headings[at]
        requests.append(heading)
        parent = item.headings[at - 1] if at > 0 else None
        owned = parent is not None and parent.level > 1 and concept_of(parent.text) is None
        owners[id(heading)] = parent if owned else None
    if len(requests) <= 1:
        return [_Scope(request=None, owner=None)]
    return [_Scope(request=h, owner=owners[id(h)]) for h in requests]


def _request_heading(item: Placed) -> int | None:
    """The index in item.headings of the nearest HTTP request heading above the block."""
    for index in range(len(item.headings) - 1, -1, -1):
        if concept_of(item.headings[index].text) is Concept.HTTP_REQUEST:
            return index
    return None


def _scope_of(item: Placed, scopes: list[_Scope]) -> int | None:
    for number, scope in enumerate(scopes):
        if scope.owner is not None and any(h is scope.owner for h in item.headings):
            return number
        if scope.request is not None and any(h is scope.request for h in item.headings):
            return number
    return None


def _items_of(placed: list[Placed], where: list[int | None], number: int) -> list[Placed]:
    """An operation's blocks: its own, and the shared ones of each part it has none of its own of."""
    own_parts = {item.part for item, at in zip(placed, where) if at == number}
    return [item for item, at in zip(placed, where) if at == number or (at is None and item.part not in own_parts)]


_RESPONSE_LABEL = re.compile(r"^(?:\*\*|__)?\s*(?:example\s+)?response\s*:?\s*(?:\*\*|__)?\s*:?$", re.IGNORECASE)


def _operations(ctx: PageContext, title, description, placed, annotations, line: int) -> tuple[Operation, ...]:
    """Every operation a page documents: one per HTTP request section (qualified headings,
    sections under their own heading), and one per HTTP method of a request block."""
    scopes = _scopes(placed)
    where = [_scope_of(item, scopes) if len(scopes) > 1 else None for item in placed]
    messages: list[tuple[int | None, HttpMessage]] = []
    in_request: list[tuple[int | None, HttpRequest]] = []  # full examples written in a request section
    labelled = False  # a `**Response**` label since the last request
    for item, at in zip(placed, where):
        block = item.block
        if isinstance(block, Paragraph):
            labelled = labelled or bool(_RESPONSE_LABEL.match(block.raw.strip()))
            continue
        if not isinstance(block, Fence) or item.part is Concept.JSON_REPRESENTATION:
            continue
        if item.part is Concept.HTTP_REQUEST and not is_example_fence(block):
            continue
        annotation = annotations.get(block.line, ())
        kind = dict(annotation).get("blockType")
        if kind == "ignored":
            continue
        message = None
        if classify(block.content) is None:
            # a bare JSON fence under a Response label, answering the request before it
            # (the Dynamics pages write responses so): the response, without a status line
            waiting = bool(messages) and isinstance(messages[-1][1], HttpRequest)
            label = labelled or _RESPONSE_LABEL.match(item.heading.strip()) or kind == "response"
            if waiting and label and block.content.lstrip()[:1] in ("{", "["):
                message = bare_response(ctx, block.content, block.line, annotation)
            if message is None:
                continue
        else:
            message = parse_http(ctx, block.content, block.line, annotation)
        if isinstance(message, HttpRequest):
            labelled = False
        if message is not None:
            messages.append((at, message))
            if item.part is Concept.HTTP_REQUEST and isinstance(message, HttpRequest):
                in_request.append((at, message))
    examples = pair_examples([m for _, m in messages])
    example_scope = {id(m): at for at, m in messages}
    specs: list[tuple[int, str, Span, tuple[HttpPath, ...]]] = []  # scope, title, span, paths
    seen = Sink()
    for number, scope in enumerate(scopes):
        items = _items_of(placed, where, number)
        # a shared block is read once per operation: its diagnostics are reported once
        quiet = ctx if number == 0 else PageContext(rel=ctx.rel, display=ctx.display, sink=seen)
        paths = extract_paths(quiet, items, annotations)
        if not paths:
            paths = _example_paths([m for at, m in in_request if at == number or len(scopes) == 1])
        scope_title = _scope_title(title, scope) if number else title
        span = ctx.span(line if number == 0 or scope.request is None else (scope.owner or scope.request).line)
        methods = list(dict.fromkeys(p.method for p in paths))
        for index, method in enumerate(methods):
            own = tuple(p for p in paths if p.method == method)
            specs.append((number, scope_title if index == 0 else f"{scope_title} ({method})", span, own))
    if not specs:
        ctx.report("DG301", line, "no `METHOD /path` line under an HTTP request heading")
        return ()
    chosen = [_operation_for(e, example_scope.get(id(e.request)), specs) for e in examples]
    operations = []
    for index, (number, op_title, span, paths) in enumerate(specs):
        items = _items_of(placed, where, number)
        own_examples = tuple(e for e, at in zip(examples, chosen) if at == index)
        quiet = ctx if index == 0 else PageContext(rel=ctx.rel, display=ctx.display, sink=seen)
        parameters, options = extract_parameters(quiet, items)
        operations.append(
            Operation(
                title=op_title,
                description=description,
                paths=paths,
                headers=extract_headers(quiet, items),
                parameters=parameters,
                query_options=options,
                request_body=extract_request_body(quiet, items),
                response=_returned(extract_response(quiet, items), own_examples),
                permissions=extract_permissions(quiet, items),
                examples=own_examples,
                span=span,
            )
        )
    return tuple(operations)


_ODATA_COLLECTION = re.compile(r"^collection\((.+)\)$", re.IGNORECASE)
_QUALIFIED = re.compile(r"^#?(?:([A-Za-z_][\w.]*)\.)?([A-Za-z_]\w*)$")


def _returned(response: Response | None, examples: tuple[Example, ...]) -> Response | None:
    """The Response prose's type, else the one the success responses name, each by its annotation
    (`@odata.type`, `isCollection`) or else its body (a `value` list of objects of one
    `@odata.type`, or an object with one), when they all agree."""
    if response is not None and response.type is not None:
        return response
    named = []
    for example in examples:
        answer = example.response
        if answer is not None and 200 <= answer.status <= 299:
            ref = _annotated_type(answer) or _body_type(answer)
            if ref is not None:
                named.append((answer, ref))
    if len({(ref.name.lower(), ref.collection) for _, ref in named}) != 1:
        return response  # none, or responses of several types: the method returns JSON
    answer, ref = named[0]
    if response is not None:
        return dataclasses.replace(response, type=ref)
    return Response(status=answer.status, type=ref, span=answer.span)


def _named(odata: str, collection: bool) -> TypeRef | None:
    wrapped = _ODATA_COLLECTION.match(odata.strip())
    text = wrapped.group(1) if wrapped else odata.strip()
    match = _QUALIFIED.match(text)
    if not match or not match.group(1) or match.group(1).lower().startswith("edm"):
        return None  # a bare scalar (`stream`) or an Edm type names no model
    namespace = match.group(1).lstrip("#")
    return TypeRef(
        kind=TypeKind.NAMED,
        name=match.group(2),
        namespace=namespace if namespace.count(".") >= 1 else None,
        collection=collection or bool(wrapped),
        raw=odata,
    )


def _annotated_type(answer: HttpResponse) -> TypeRef | None:
    odata = answer.annotated("@odata.type")
    if not isinstance(odata, str):
        return None
    return _named(odata, str(answer.annotated("isCollection", False)).lower() == "true")


def _body_type(answer: HttpResponse) -> TypeRef | None:
    body = answer.body.json if answer.body.kind is BodyKind.JSON else None
    if not isinstance(body, dict):
        return None
    items = body.get("value")
    if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
        types = {i.get("@odata.type") for i in items}
        only = types.pop() if len(types) == 1 else None
        return _named(only, True) if isinstance(only, str) else None
    odata = body.get("@odata.type")
    return _named(odata, False) if isinstance(odata, str) and "value" not in body else None


def _scope_title(title: str, scope: _Scope) -> str:
    if scope.owner is not None:
        return scope.owner.text
    qualifier = re.sub(
        r"^\s*http requests?\s*[:\u2013\u2014-]?\s*", "", scope.request.text if scope.request else "", flags=re.I
    )
    return f"{title} {qualifier.strip()}".strip() or title


def _operation_for(example: Example, scope: int | None, specs) -> int:
    """The operation an example belongs to: of its own section's operations, else of all, the one
    whose method and path match its request, else the first with its method, else the first."""
    candidates = [i for i, spec in enumerate(specs) if scope is None or spec[0] == scope] or list(range(len(specs)))
    url = ABSOLUTE_URL.sub("", example.request.url.split("?", 1)[0])
    same_method = [i for i in candidates if specs[i][3][0].method == example.request.method]
    for i in same_method:
        if any(split_path(p.path).regex().match(url) for p in specs[i][3]):
            return i
    return (same_method or candidates)[0]


def _example_paths(requests: list[HttpRequest]) -> tuple[HttpPath, ...]:
    """A section whose only request is a full example: its request line gives the path."""
    paths = []
    for request in requests:
        path, _, query = ABSOLUTE_URL.sub("", request.url).partition("?")
        paths.append(
            HttpPath(
                method=request.method, path=path if path.startswith("/") else f"/{path}", query=query, span=request.span
            )
        )
    return tuple(dict.fromkeys(paths))


def _request_body_models(operation: Operation | None, namespace: str) -> tuple[Model, ...]:
    """A request body table that documents a linked type is a (non-authoritative) model of it."""
    body = operation.request_body if operation else None
    if body is None or body.type is None or not body.fields:
        return ()
    return (
        Model(
            name=body.type.name,
            namespace=body.type.namespace or namespace,
            origin=ModelOrigin.REQUEST_BODY,
            fields=body.fields,
            span=body.span,
        ),
    )
