"""The intermediate representation: facts read from the docs, nothing computed for Python.

Frozen, slotted, keyword-only dataclasses with tuples for sequences. Names are kept exactly as
documented (`deviceCartIds`, `@odata.type`); Python names are chosen later, in `naming`.
Every element carries a `Span`, which is left out of equality so that moving a line does not
make two IRs differ. JSON example bodies are plain JSON values (dict/list/str/...); they are
never mutated after extraction.
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
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


NOWHERE = Span(path="", line=0)


def span() -> Any:
    return field(default=NOWHERE, compare=False)


class TypeKind(StrEnum):
    PRIMITIVE = "primitive"  # an Edm scalar, name is canonical (String, Int32, ...)
    NAMED = "named"  # a model or enum, resolved across pages by `link`
    ANY = "any"  # unreadable cell: any JSON value


@dataclass(**FROZEN)
class TypeRef:
    kind: TypeKind
    name: str  # canonical primitive name, or the type's documented name (no namespace)
    collection: bool = False
    namespace: str | None = None  # for NAMED types written as microsoft.graph.x
    link: str | None = None  # the linked page, relative to the input folder (posix), if any
    raw: str = field(default="", compare=False)


@dataclass(**FROZEN)
class Field:
    name: str  # wire name, exactly as documented
    type: TypeRef
    description: str = ""
    inherited_from: str | None = None  # "Inherited from [entity](...)"
    relationship: bool = False  # listed in a Relationships table
    span: Span = span()


class ModelOrigin(StrEnum):
    RESOURCE = "resource"  # a resource or complex type page: authoritative
    REQUEST_BODY = "request-body"  # inferred from an operation's request body table
    PLACEHOLDER = "placeholder"  # referenced but defined by no page


@dataclass(**FROZEN)
class Model:
    name: str  # documented type name, e.g. cartToClassAssociation
    namespace: str
    origin: ModelOrigin
    fields: tuple[Field, ...] = ()
    base: str | None = None  # documented name of the base type
    description: str = ""
    abstract: bool = False
    open_type: bool = False
    key_property: str | None = None
    span: Span = span()

    @property
    def odata_type(self) -> str:
        return f"{self.namespace}.{self.name}"


@dataclass(**FROZEN)
class EnumMember:
    name: str
    description: str = ""
    span: Span = span()


@dataclass(**FROZEN)
class Enum:
    name: str
    namespace: str
    members: tuple[EnumMember, ...]
    description: str = ""
    span: Span = span()


class PermissionKind(StrEnum):
    DELEGATED_WORK = "delegated-work"
    DELEGATED_PERSONAL = "delegated-personal"
    APPLICATION = "application"


class PermissionState(StrEnum):
    SCOPES = "scopes"  # scope names are known
    NOT_SUPPORTED = "not-supported"
    UNKNOWN = "unknown"  # a placeholder such as "TODO: Determine scopes"


@dataclass(**FROZEN)
class Permission:
    kind: PermissionKind
    state: PermissionState
    scopes: tuple[str, ...] = ()
    raw: str = ""
    span: Span = span()


@dataclass(**FROZEN)
class HttpPath:
    """One `METHOD /path` line of the HTTP request block."""

    method: str
    path: str  # as documented, placeholders included: /users/{id}/photo/$value
    query: str = ""  # a documented query string (?$filter=...), without the "?"
    annotation: tuple[tuple[str, Any], ...] = ()
    span: Span = span()


@dataclass(**FROZEN)
class Header:
    name: str
    value: str
    description: str = ""
    span: Span = span()


class ParamLocation(StrEnum):
    PATH = "path"
    QUERY = "query"
    FUNCTION = "function"


@dataclass(**FROZEN)
class Parameter:
    name: str
    location: ParamLocation
    type: TypeRef
    description: str = ""
    span: Span = span()


@dataclass(**FROZEN)
class RequestBody:
    """What the Request body section documents: a linked type and/or a property table."""

    type: TypeRef | None = None
    fields: tuple[Field, ...] = ()
    span: Span = span()


@dataclass(**FROZEN)
class Response:
    status: int | None
    type: TypeRef | None = None  # the returned type, collection=True for lists
    span: Span = span()


class BodyKind(StrEnum):
    NONE = "none"
    JSON = "json"
    TEXT = "text"
    BINARY = "binary"  # octet-stream, images, multipart: kept as text, never compared as JSON


@dataclass(**FROZEN)
class Body:
    kind: BodyKind
    text: str = ""
    json: Any = None  # the parsed value when kind is JSON
    content_type: str = ""


@dataclass(**FROZEN)
class HttpExample:
    """One example fence: a request (method, url) or a response (status)."""

    method: str = ""
    url: str = ""
    status: int | None = None
    headers: tuple[Header, ...] = ()
    body: Body = Body(kind=BodyKind.NONE)
    annotation: tuple[tuple[str, Any], ...] = ()
    span: Span = span()

    def annotated(self, key: str, default: Any = None) -> Any:
        for name, value in self.annotation:
            if name == key:
                return value
        return default


@dataclass(**FROZEN)
class Example:
    name: str
    request: HttpExample
    response: HttpExample | None
    span: Span = span()

    @property
    def truncated(self) -> bool:
        if self.response is None:
            return False
        return str(self.response.annotated("truncated", False)).lower() == "true"


class PageKind(StrEnum):
    OPERATION = "operation"
    RESOURCE = "resource"
    ENUM = "enum"
    CONCEPTUAL = "conceptual"


@dataclass(**FROZEN)
class Operation:
    title: str
    description: str
    paths: tuple[HttpPath, ...]
    headers: tuple[Header, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    query_options: tuple[str, ...] = ()  # documented OData options: $select, $filter, ...
    request_body: RequestBody | None = None
    response: Response | None = None
    permissions: tuple[Permission, ...] = ()
    examples: tuple[Example, ...] = ()
    span: Span = span()

    @property
    def method(self) -> str:
        return self.paths[0].method


@dataclass(**FROZEN)
class Page:
    path: str  # relative to the input folder, posix
    kind: PageKind
    title: str
    description: str = ""
    doc_type: str = ""
    heading: str = ""
    namespace: str = "microsoft.graph"
    version: str = ""  # API version ("beta", "v1.0") when the page says, else ""
    operation: Operation | None = None
    models: tuple[Model, ...] = ()
    enums: tuple[Enum, ...] = ()
    span: Span = span()


@dataclass(**FROZEN)
class ApiSpec:
    """All pages after cross-page linking: one model per type name, bases resolved."""

    pages: tuple[Page, ...]
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
