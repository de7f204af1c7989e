"""Stage 3: one page's blocks -> its IR (`Page`). Each fact keeps the line it was read from."""

from __future__ import annotations

import re

from docgen.blocks import Comment, Fence, Heading, Paragraph, parse_document
from docgen.diagnostics import Sink
from docgen.extract.annotations import read_annotation
from docgen.extract.examples import classify, pair_examples, parse_http
from docgen.extract.operations import (
    extract_headers,
    extract_parameters,
    extract_paths,
    extract_permissions,
    extract_request_body,
    extract_response,
)
from docgen.extract.resources import extract_enums, extract_model, type_name_from_title
from docgen.extract.sections import Concept, Placed, place
from docgen.ir import Model, ModelOrigin, Operation, Page, PageKind
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
    blocks = document.blocks
    placed = place(blocks)
    front = document.front_matter
    heading = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")
    heading_line = next((b.line for b in blocks if isinstance(b, Heading) and b.level == 1), 1)
    title = front.get("title") or heading
    namespace = _namespace(blocks)
    annotations = _annotations(ctx, blocks)
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
        operation = _operation(ctx, title, description, placed, annotations, heading_line)
        models = _request_body_models(operation, namespace)
        enums = extract_enums(ctx, None, namespace, placed)
        if not common["version"] and operation is not None:
            common["version"] = _example_version(operation)
        return Page(kind=kind, operation=operation, models=models, enums=enums, **common)
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


def _annotations(ctx: PageContext, blocks) -> dict[int, tuple]:
    """Annotation of each fence, keyed by the fence's line. An annotation binds to the next fence
    even across a line of prose, but never across another fence or heading."""
    result: dict[int, tuple] = {}
    pending: tuple | None = None
    for block in blocks:
        if isinstance(block, Comment):
            annotation = read_annotation(ctx, block) if block.closed else None
            if annotation is not None:
                pending = annotation
        elif isinstance(block, Fence):
            if pending is not None:
                result[block.line] = pending
            pending = None
        elif isinstance(block, Heading):
            pending = None
    return result


def _operation(ctx: PageContext, title, description, placed, annotations, line: int) -> Operation | None:
    paths = extract_paths(ctx, placed, annotations)
    if not paths:
        ctx.report("DG301", line, "no `METHOD /path` line under an HTTP request heading")
        return None
    parameters, options = extract_parameters(ctx, placed)
    messages = []
    for item in placed:
        block = item.block
        if not isinstance(block, Fence) or item.outer in (Concept.HTTP_REQUEST, Concept.JSON_REPRESENTATION):
            continue
        annotation = annotations.get(block.line, ())
        if dict(annotation).get("blockType") == "ignored" or classify(block.content) is None:
            continue
        message = parse_http(ctx, block.content, block.line, annotation)
        if message is not None:
            messages.append(message)
    return Operation(
        title=title,
        description=description,
        paths=paths,
        headers=extract_headers(ctx, placed),
        parameters=parameters,
        query_options=options,
        request_body=extract_request_body(ctx, placed),
        response=extract_response(ctx, placed),
        permissions=extract_permissions(ctx, placed),
        examples=pair_examples(messages),
        span=ctx.span(line),
    )


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
