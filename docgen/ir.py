"""The intermediate representation: facts read from the docs, nothing computed for Python.

Frozen, slotted, keyword-only dataclasses with tuples for sequences. Names are kept exactly as
documented (`deviceCartIds`, `@odata.type`); Python names are chosen later, in `naming`.
Every element carries a `Span`, which is left out of equality so that moving a line does not
make two IRs differ. JSON example bodies are plain JSON values (dict/list/str/...); they are
never mutated after extraction.

Each field is documented by the string literal under it (as markdown-it-py documents `Token`).
`docgen parse --json` prints these records (see `ir_json` and the README).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FROZEN = dict(frozen=True, slots=True, kw_only=True)


@dataclass(**FROZEN)
class Span:
    """Where an element was read: the page as shown to the user and a 1-based line."""

    path: str
    """The page as diagnostics show it (the input folder's name joined with the page's path)."""
    line: int
    """1-based line in the page; 0 for elements that were not read from a line (`NOWHERE`)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


NOWHERE = Span(path="", line=0)


def span() -> Any:
    """A `span` field: defaults to NOWHERE and is left out of equality."""
    return field(default=NOWHERE, compare=False)


class TypeKind(StrEnum):
    """What a type cell names."""

    PRIMITIVE = "primitive"  # an Edm scalar, name is canonical (String, Int32, ...)
    NAMED = "named"  # a model or enum, resolved across pages by `link`
    ANY = "any"  # unreadable cell: any JSON value


@dataclass(**FROZEN)
class TypeRef:
    """A type as a property table, parameter table or response prose names it."""

    kind: TypeKind
    """Primitive, named (a model or enum of some page) or any JSON value (an unreadable cell)."""
    name: str
    """The canonical primitive name (`String`, `Int32`, ...), or the type's documented name without
    its namespace (`cartToClassAssociation`); empty for ANY."""
    collection: bool = False
    """True for `X collection`, `Collection(X)`, "a collection of [x] objects"."""
    namespace: str | None = None
    """The namespace of a NAMED type written qualified (`microsoft.graph.callRecords.x`), else None."""
    link: str | None = None
    """The linked page, relative to the input folder (posix), if the cell links one."""
    raw: str = field(default="", compare=False)
    """The cell's text as written (not compared)."""


@dataclass(**FROZEN)
class Field:
    """One row of a property, relationship or request-body table."""

    name: str
    """The wire name, exactly as documented (`deviceCartIds`, `@odata.type`)."""
    type: TypeRef
    """The row's type cell."""
    description: str = ""
    """The description cell as plain text."""
    inherited_from: str | None = None
    """The type an `Inherited from [entity](...)` note in the description names."""
    relationship: bool = False
    """True when the row is in a Relationships table (a navigation property)."""
    read_only: bool = False
    """The type cell's remark (`string (readonly)`) or the description says read-only."""
    span: Span = span()
    """The row's line."""


class ModelOrigin(StrEnum):
    """Which kind of page defined a model; `link` keeps the best-ranked definition of a type."""

    RESOURCE = "resource"  # a resource or complex type page: authoritative
    REQUEST_BODY = "request-body"  # inferred from an operation's request body table
    PLACEHOLDER = "placeholder"  # referenced but defined by no page


class BaseSource(StrEnum):
    """Where a model's base type is stated."""

    ANNOTATION = "annotation"  # the JSON representation's `baseType`
    PROSE = "prose"  # "Inherits from [x]", "Derived from [x]"
    NOTES = "notes"  # the `Inherited from [x]` notes of its properties (may name a grandparent)


@dataclass(**FROZEN)
class Model:
    """A resource or complex type (or what a request body table or a bare reference says of one)."""

    name: str
    """The documented type name, e.g. `cartToClassAssociation`."""
    namespace: str
    """Its namespace: the annotation's `@odata.type`, else the page's `Namespace:` line."""
    origin: ModelOrigin
    """The kind of page it was read from."""
    fields: tuple[Field, ...] = ()
    """Its own properties and relationships, in documented order, each name once."""
    base: str | None = None
    """The documented name of the base type, without its namespace (annotation `baseType`, else
    `Inherited from` notes). After `link`: the base's qualified name (`microsoft.graph.entity`),
    or None when no page defines it."""
    base_namespace: str | None = None
    """The base's namespace when written qualified (`microsoft.graph.callRecords.x`), else None."""
    base_source: BaseSource | None = None
    """Where the base was read: the annotation, the prose or the `Inherited from` notes."""
    description: str = ""
    """The page's description."""
    abstract: bool = False
    """The JSON representation's annotation says `abstract: true`."""
    open_type: bool = False
    """The JSON representation's annotation says `openType: true`."""
    key_property: str | None = None
    """The annotation's `keyProperty`."""
    span: Span = span()
    """The page's H1 (a request body's section; a placeholder's first use)."""

    @property
    def odata_type(self) -> str:
        return f"{self.namespace}.{self.name}"


@dataclass(**FROZEN)
class EnumMember:
    """One member of an enum, with the wire value as documented."""

    name: str
    """The member as documented (`notStarted`)."""
    description: str = ""
    """Its description cell."""
    span: Span = span()
    """The row's line (or the line of the description that listed the values)."""


@dataclass(**FROZEN)
class Enum:
    """An enum type: a `Members` table, an `x values` table, or "Possible values are" prose."""

    name: str
    """The documented enum name."""
    namespace: str
    """Its namespace."""
    members: tuple[EnumMember, ...]
    """The members in documented order, each once."""
    description: str = ""
    """Where the values came from, when no page documents the enum itself."""
    span: Span = span()
    """The table's line (or the description's that listed the values)."""


class PermissionKind(StrEnum):
    """The first column of a permissions table."""

    DELEGATED_WORK = "delegated-work"
    DELEGATED_PERSONAL = "delegated-personal"
    APPLICATION = "application"


class PermissionState(StrEnum):
    """What a permissions row says about its scopes."""

    SCOPES = "scopes"  # scope names are known
    NOT_SUPPORTED = "not-supported"
    UNKNOWN = "unknown"  # a placeholder such as "TODO: Determine scopes"


@dataclass(**FROZEN)
class Permission:
    """One row of a permissions table."""

    kind: PermissionKind
    """Delegated (work or school), delegated (personal) or application."""
    state: PermissionState
    """Scopes known, not supported, or unknown (a placeholder)."""
    scopes: tuple[str, ...] = ()
    """The scope names, least privileged first (as the table's header orders them), when state
    is SCOPES."""
    raw: str = ""
    """The scopes cell as written (a least and a higher privileged column joined by ` | `)."""
    span: Span = span()
    """The row's line."""


@dataclass(**FROZEN)
class HttpPath:
    """One `METHOD /path` line of the HTTP request block."""

    method: str
    """GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS."""
    path: str
    """The path as documented, placeholders included (`/users/{id}/photo/$value`), host and version cut."""
    query: str = ""
    """A documented query string (`$filter=...`), without the `?`."""
    annotation: tuple[tuple[str, Any], ...] = ()
    """The annotation comment before the block, keys in written order."""
    span: Span = span()
    """The line of this `METHOD /path`."""


@dataclass(**FROZEN)
class Header:
    """A request header: a row of the Request headers table, or a header line of an example."""

    name: str
    """The header name as written (`Content-Type`, `ConsistencyLevel`)."""
    value: str
    """Its value (for a table row, the Value cell)."""
    description: str = ""
    """The Description cell of a table row."""
    span: Span = span()
    """The row's or line's line (NOWHERE for headers written after an example's blank line)."""


class ParamLocation(StrEnum):
    """Which table documents a parameter."""

    PATH = "path"
    QUERY = "query"
    FUNCTION = "function"


@dataclass(**FROZEN)
class Parameter:
    """One row of a path, function or query parameters table (OData `$` options excepted)."""

    name: str
    """The parameter name as documented."""
    location: ParamLocation
    """The table it is in."""
    type: TypeRef
    """Its type cell (String when the table has no type column)."""
    description: str = ""
    """Its description cell."""
    span: Span = span()
    """The row's line."""


@dataclass(**FROZEN)
class RequestBody:
    """What the Request body section documents: a linked type and/or a property table."""

    type: TypeRef | None = None
    """The type the section's prose links to, if any."""
    fields: tuple[Field, ...] = ()
    """The rows of the section's first property table."""
    span: Span = span()
    """The section's first block."""


@dataclass(**FROZEN)
class Response:
    """What the Response section's prose says: a status and the returned type."""

    status: int | None
    """The status code the prose names (`201 Created` -> 201)."""
    type: TypeRef | None = None
    """The returned type, collection=True for lists."""
    span: Span = span()
    """The paragraph's line."""


class BodyKind(StrEnum):
    """How an example body is read."""

    NONE = "none"
    JSON = "json"
    TEXT = "text"
    BINARY = "binary"  # octet-stream, images, multipart: kept as text, never compared as JSON


@dataclass(**FROZEN)
class Body:
    """The body of an example request or response (what follows the headers and a blank line)."""

    kind: BodyKind
    """None, JSON (by Content-Type, else by a leading `{` or `[`), text or binary."""
    text: str = ""
    """The body as written, stripped."""
    json: Any = None
    """The parsed value when kind is JSON (None when it could not be read even leniently)."""
    content_type: str = ""
    """The example's Content-Type header, lower-cased."""


class _Annotated:
    """`annotated()` for records that carry an annotation comment."""

    __slots__ = ()
    annotation: tuple[tuple[str, Any], ...]

    def annotated(self, key: str, default: Any = None) -> Any:
        """The annotation's value for key (the first, if written twice), else default."""
        for name, value in self.annotation:
            if name == key:
                return value
        return default


@dataclass(**FROZEN)
class HttpRequest(_Annotated):
    """An example request fence: `METHOD url`, header lines, a blank line, a body."""

    method: str
    """The request line's method."""
    url: str
    """The request line's URL as written (absolute or relative, placeholders and query included)."""
    headers: tuple[Header, ...] = ()
    """The header lines, in written order."""
    body: Body = Body(kind=BodyKind.NONE)
    """The body."""
    annotation: tuple[tuple[str, Any], ...] = ()
    """The annotation comment before the fence (`blockType`, `name`, ...), keys in written order."""
    span: Span = span()
    """The request line's line."""


@dataclass(**FROZEN)
class HttpResponse(_Annotated):
    """An example response fence: a status line, header lines, a blank line, a body."""

    status: int
    """The status line's code: 201 for `HTTP/1.1 201 Created` or `HTTP 201 Created`."""
    headers: tuple[Header, ...] = ()
    """The header lines, in written order."""
    body: Body = Body(kind=BodyKind.NONE)
    """The body."""
    annotation: tuple[tuple[str, Any], ...] = ()
    """The annotation comment before the fence (`name`, `truncated`, `@odata.type`, ...)."""
    span: Span = span()
    """The status line's line."""


HttpMessage = HttpRequest | HttpResponse


@dataclass(**FROZEN)
class Example:
    """A documented example: a request and the response that answers it."""

    name: str
    """The request annotation's `name`, else `example_N` (N counts the page's requests from 1)."""
    request: HttpRequest
    """The request."""
    response: HttpResponse | None
    """The response paired with it (by annotation name, else by order), or None."""
    span: Span = span()
    """The request line's line."""

    @property
    def truncated(self) -> bool:
        """The response annotation says `truncated: true` (it shows only some properties)."""
        if self.response is None:
            return False
        return str(self.response.annotated("truncated", False)).lower() == "true"


class PageKind(StrEnum):
    """What a page documents: from `doc_type`, else from its content."""

    OPERATION = "operation"
    RESOURCE = "resource"
    ENUM = "enum"
    CONCEPTUAL = "conceptual"


@dataclass(**FROZEN)
class Operation:
    """The operation an API page documents."""

    title: str
    """The page's title (front matter, else H1)."""
    description: str
    """The page's description (front matter, else its first paragraph)."""
    paths: tuple[HttpPath, ...]
    """The HTTP request block's lines, at least one."""
    headers: tuple[Header, ...] = ()
    """The Request headers table's rows."""
    parameters: tuple[Parameter, ...] = ()
    """The path, function and query parameter tables' rows."""
    query_options: tuple[str, ...] = ()
    """The documented OData options, sorted, without `$`: select, filter, top, ..."""
    request_body: RequestBody | None = None
    """The Request body section, when it links a type or has a property table."""
    response: Response | None = None
    """The Response section's status and type, when its prose names a status."""
    permissions: tuple[Permission, ...] = ()
    """The permissions table's rows."""
    examples: tuple[Example, ...] = ()
    """The examples, in page order of their requests."""
    span: Span = span()
    """The page's H1."""

    @property
    def method(self) -> str:
        return self.paths[0].method


@dataclass(**FROZEN)
class BlockCounts:
    """What of a page's fences, tables and annotation comments docgen used (a fact was read from
    it) and what it reported as not read (DG130, DG131, DG132): every one is counted once."""

    fences_used: int = 0
    """Fences a path, an example message or a JSON representation was read from (or `ignored`)."""
    fences_reported: int = 0
    """Fences reported as not read (DG130)."""
    tables_used: int = 0
    """Tables a property, parameter, header, permission or member was read from."""
    tables_reported: int = 0
    """Tables reported as not read (DG131)."""
    annotations_used: int = 0
    """Annotation comments bound to a fence that was used."""
    annotations_reported: int = 0
    """Annotation comments reported as not read (DG132)."""


@dataclass(**FROZEN)
class Page:
    """Everything one page says, before cross-page linking."""

    path: str
    """The page relative to the input folder, posix."""
    kind: PageKind
    """Operation, resource, enum or conceptual."""
    title: str
    """Front matter `title`, else the H1."""
    description: str = ""
    """Front matter `description`, else the first paragraph."""
    doc_type: str = ""
    """Front matter `doc_type` as written."""
    heading: str = ""
    """The H1's text."""
    namespace: str = "microsoft.graph"
    """The `Namespace:` line under the H1."""
    version: str = ""
    """The API version (`beta`, `v1.0`) when the page's folder or first example URL says, else empty."""
    operations: tuple[Operation, ...] = ()
    """The operations an operation page documents, in page order: one per HTTP request section
    and HTTP method (none when it has no HTTP request block)."""
    models: tuple[Model, ...] = ()
    """The page's type (resource pages) or its request body's type (operation pages)."""
    enums: tuple[Enum, ...] = ()
    """The enums the page's members and `x values` tables define."""
    blocks: BlockCounts = BlockCounts()
    """How many of its fences, tables and annotations were used, and how many reported."""
    span: Span = span()
    """The page's H1 (line 1 when it has none)."""

    @property
    def operation(self) -> Operation | None:
        """The page's first operation (the one a single-operation page documents), or None."""
        return self.operations[0] if self.operations else None


@dataclass(**FROZEN)
class ApiSpec:
    """All pages after cross-page linking: one model per type (namespace and name), bases and
    references resolved (every NAMED TypeRef carries the namespace of the type it names)."""

    pages: tuple[Page, ...]
    """Every page, sorted by path."""
    models: tuple[Model, ...]
    """One model per type (namespace and name, case-insensitive), sorted by name, the default
    namespace's first; placeholders included."""
    enums: tuple[Enum, ...]
    """One enum per type, in the same order; those inferred from descriptions included."""
    partial: tuple[tuple[str, str], ...] = ()
    """Types known only in part, as (type key, why): read from a request body table only, or
    their own page (a link names it) is not in the input, or a base no page defines. Their
    models accept keys they do not declare (DG220)."""
