"""The facts of an operation page: request lines, permissions, headers, parameters, body,
response."""

from __future__ import annotations

import dataclasses
import re

from docgen.blocks import Fence, Paragraph, Table
from docgen.extract.examples import REQUEST_LINE, is_example_fence
from docgen.extract.sections import Concept, Placed
from docgen.extract.types import (
    cell,
    clean_name,
    column,
    extract_fields,
    name_column,
    parse_type,
    resolve_link,
)
from docgen.ir import (
    Header,
    HttpPath,
    Parameter,
    ParamLocation,
    Permission,
    PermissionKind,
    PermissionState,
    RequestBody,
    Response,
    TypeKind,
    TypeRef,
)
from docgen.paths import ABSOLUTE_URL
from docgen.read import PageContext

_GLUED = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)(/\S.*)$")  # "DELETE/users/{id}"
_SCOPE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$|^(offline_access|openid|email|profile)$")
_STATUS = re.compile(r"\b([1-5]\d\d)(?:\s+[A-Z][A-Za-z-]*)*")
# "a collection of [x] objects", "a list of [x] objects", "[x] collection object"
_COLLECTION = re.compile(r"\b(collection|list|array) of\b|\bcollection objects?\b", re.IGNORECASE)
_NOT_SUPPORTED = re.compile(r"not\s+(supported|available|applicable)", re.IGNORECASE)
_MOST_FIRST = re.compile(r"most\s+to\s+least", re.IGNORECASE)  # `Permissions (from most to least privileged)`
_HIGHER = re.compile(r"higher", re.IGNORECASE)  # a `Higher privileged permissions` column


def extract_paths(ctx: PageContext, placed: list[Placed], annotations: dict[int, tuple]) -> tuple[HttpPath, ...]:
    paths: list[HttpPath] = []
    for item in placed:
        block = item.block
        if item.part is not Concept.HTTP_REQUEST or not isinstance(block, Fence) or is_example_fence(block):
            continue
        for offset, raw in enumerate(block.content.split("\n")):
            line = raw.strip()
            if not line or line.startswith(("#", "//", "<!--")):
                continue
            match = REQUEST_LINE.match(line) or _GLUED.match(line)
            if not match:
                ctx.report("DG302", block.line + 1 + offset, f"not a `METHOD /path` line: {line[:80]!r}")
                continue
            target = ABSOLUTE_URL.sub("", match.group(2).strip())
            path, _, query = target.partition("?")
            if not path.startswith("/"):
                path = "/" + path
            paths.append(
                HttpPath(
                    method=match.group(1),
                    path=path,
                    query=query,
                    annotation=annotations.get(block.line, ()),
                    span=ctx.span(block.line + 1 + offset),
                )
            )
    return tuple(paths)


def extract_permissions(ctx: PageContext, placed: list[Placed]) -> tuple[Permission, ...]:
    """The rows of the permissions table, each kind's scopes least privileged first: as the
    header orders them (`Permissions (from least to most privileged)`, or `from most to least`,
    reversed), and a `Least privileged permissions` column before a `Higher privileged
    permissions` one. A table that states no order is taken as Graph writes them, least first."""
    permissions: list[Permission] = []
    for item in placed:
        table = item.block
        if item.part is not Concept.PERMISSIONS or not isinstance(table, Table) or len(table.header) < 2:
            continue
        header = [cell.text for cell in table.header]
        most_first = bool(_MOST_FIRST.search(header[1]))
        columns = 3 if len(header) > 2 and _HIGHER.search(header[2]) else 2
        for row in table.rows:
            if len(row.cells) < 2:
                continue
            kind = _permission_kind(row.cells[0].text)
            if kind is None:
                continue
            cells = [cell.text.strip("* ") for cell in row.cells[1:columns]]
            raw = " | ".join(cells)
            least = _scopes(cells[0])
            scopes = least[::-1] if most_first else least
            if _NOT_SUPPORTED.search(cells[0]):
                state = PermissionState.NOT_SUPPORTED
            elif least and "todo" not in cells[0].lower():
                state = PermissionState.SCOPES
                scopes += tuple(s for cell in cells[1:] for s in _scopes(cell) if s not in scopes)
            else:
                state, scopes = PermissionState.UNKNOWN, ()
            permissions.append(Permission(kind=kind, state=state, scopes=scopes, raw=raw, span=ctx.span(row.line)))
    return tuple(permissions)


def _scopes(cell: str) -> tuple[str, ...]:
    words = (word.strip("*`") for word in re.split(r"[\s,;]+", cell.strip("*")))
    return tuple(word for word in words if _SCOPE.match(word))


def _permission_kind(text: str) -> PermissionKind | None:
    lowered = text.lower()
    if "application" in lowered:
        return PermissionKind.APPLICATION
    if "personal" in lowered:
        return PermissionKind.DELEGATED_PERSONAL
    if "delegated" in lowered:
        return PermissionKind.DELEGATED_WORK
    return None


def extract_headers(ctx: PageContext, placed: list[Placed]) -> tuple[Header, ...]:
    headers: list[Header] = []
    for item in placed:
        table = item.block
        if item.part is not Concept.REQUEST_HEADERS or not isinstance(table, Table):
            continue
        name_at = column(table.header, "header", "name", "request header")
        value_at = column(table.header, "value")
        desc_at = column(table.header, "description")
        if name_at is None:
            continue
        for row in table.rows:
            name = clean_name(cell(row, name_at).text)
            if not name:
                continue
            headers.append(
                Header(
                    name=name,
                    value=cell(row, value_at).text,
                    description=cell(row, desc_at).text,
                    span=ctx.span(row.line),
                )
            )
    return tuple(headers)


_LOCATIONS = {
    Concept.PATH_PARAMETERS: ParamLocation.PATH,
    Concept.FUNCTION_PARAMETERS: ParamLocation.FUNCTION,
    Concept.QUERY_PARAMETERS: ParamLocation.QUERY,
}


def extract_parameters(ctx: PageContext, placed: list[Placed]) -> tuple[tuple[Parameter, ...], tuple[str, ...]]:
    """Documented parameters, and the OData query options ($select, ...) named on the page."""
    parameters: list[Parameter] = []
    options: set[str] = set()
    for item in placed:
        block = item.block
        location = _LOCATIONS.get(item.part) if item.part else None
        if location is None:
            continue
        if isinstance(block, Paragraph) and location is ParamLocation.QUERY:
            options.update(
                re.findall(
                    r"\$(select|filter|top|expand|orderby|search|count|skip|skiptoken|format)\b", block.inline.text
                )
            )
        if not isinstance(block, Table):
            continue
        name_at = name_column(block)
        type_at = column(block.header, "type", "value")
        desc_at = column(block.header, "description")
        if name_at is None:
            continue
        for row in block.rows:
            name = clean_name(cell(row, name_at).text)
            if not name:
                continue
            if name.startswith("$") and location is ParamLocation.QUERY:
                options.add(name[1:].lower())
                continue
            type_ref = parse_type(cell(row, type_at), ctx.rel) if type_at is not None else None
            parameters.append(
                Parameter(
                    name=name,
                    location=location,
                    type=type_ref or TypeRef(kind=TypeKind.PRIMITIVE, name="String"),
                    description=cell(row, desc_at).text,
                    span=ctx.span(row.line),
                )
            )
    return tuple(parameters), tuple(sorted(options))


def extract_request_body(ctx: PageContext, placed: list[Placed]) -> RequestBody | None:
    type_ref: TypeRef | None = None
    fields = ()
    line = 0
    for item in placed:
        block = item.block
        if item.part is not Concept.REQUEST_BODY:
            continue
        line = line or block.line
        if isinstance(block, Paragraph) and type_ref is None:
            type_ref = _linked_type(block, ctx.rel)
        elif isinstance(block, Table) and not fields:
            fields = extract_fields(ctx, block)
    if type_ref is None and not fields:
        return None
    return RequestBody(type=type_ref, fields=fields, span=ctx.span(line))


def extract_response(ctx: PageContext, placed: list[Placed]) -> Response | None:
    for item in placed:
        block = item.block
        if item.part is not Concept.RESPONSE or not isinstance(block, Paragraph):
            continue
        text = block.inline.text
        status = _STATUS.search(text)
        if not status:
            continue
        type_ref = _linked_type(block, ctx.rel)
        if type_ref is not None and _COLLECTION.search(text):
            type_ref = dataclasses.replace(type_ref, collection=True)
        return Response(status=int(status.group(1)), type=type_ref, span=ctx.span(block.line))
    return None


def _linked_type(paragraph: Paragraph, page_rel: str) -> TypeRef | None:
    """The first link in a paragraph that points at another reference page and reads as a type name."""
    for link in paragraph.inline.links:
        target = resolve_link(page_rel, link.href)
        name = link.text.strip().strip("`")
        if target and re.match(r"^[A-Za-z_]\w*$", name) and "/concepts/" not in f"/{target}":
            return TypeRef(kind=TypeKind.NAMED, name=name, link=target, raw=link.text)
    return None
