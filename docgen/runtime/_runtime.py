"""Runtime support shared by the generated models and clients.

This module is static (docgen copies it as it is): it imports only the standard
library, pydantic v2, httpx and its sibling ``_wire`` (the Edm value grammar and the
path choice, which docgen's generator uses too). It provides wire-exact Graph
primitive types, the ``GraphModel`` base class with ``@odata.type`` dispatch, typed
errors and the HTTP cores.
"""

import asyncio
import contextlib
import copy
import datetime as dt
import enum
import functools
import importlib
import inspect
import json
import logging
import random
import re
import time
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
)
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from contextvars import ContextVar
from email.utils import parsedate_to_datetime
from typing import (
    IO,
    Annotated,
    Any,
    ClassVar,
    Generic,
    ParamSpec,
    Protocol,
    Self,
    TypeVar,
    cast,
    overload,
)
from urllib.parse import quote

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

from . import _wire

# What the package itself re-exports (``from graph_client import NotFoundError``):
# docgen reads this list, in this order (the generated __init__ lists them so, hence
# unsorted). Generated modules reach everything else as ``_runtime.<name>``.
__all__ = [  # noqa: RUF022
    "GraphError",
    "APIStatusError",
    "APIConnectionError",
    "APITimeoutError",
    "ResponseParseError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "PreconditionFailedError",
    "RateLimitError",
    "InternalServerError",
    "GraphModel",
    "RawResponse",
    "Page",
    "Pager",
    "AsyncPager",
    "TokenCredential",
    "AccessToken",
]

T = TypeVar("T")

# --------------------------------------------------------------------------
# Wire types for Graph primitives
# --------------------------------------------------------------------------


class _WireValue:
    """Mixin for values that remember the exact text they were parsed from."""

    _text: str | None = None

    @property
    def wire(self) -> str | None:
        """The text this value was parsed from, or None if built in Python."""
        return self._text

    # The values are immutable; datetime's own copy support drops the wire text.
    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: Any) -> Self:
        return self


class WireDateTime(_WireValue, dt.datetime):
    """A datetime parsed from an Edm.DateTimeOffset string."""


class WireDate(_WireValue, dt.date):
    """A date parsed from an Edm.Date string."""


class WireTime(_WireValue, dt.time):
    """A time parsed from an Edm.TimeOfDay string."""


class WireDuration(_WireValue, dt.timedelta):
    """A timedelta parsed from an ISO-8601 Edm.Duration string."""


_W = TypeVar("_W", bound=_WireValue)


def _wired(value: _W, text: str) -> _W:
    value._text = text
    return value


def _parse_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, str):
        return _wired(_wire.read_datetime(value, WireDateTime), value)
    raise _wire.invalid("Edm.DateTimeOffset", value)


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        return _wired(_wire.read_date(value, WireDate), value)
    raise _wire.invalid("Edm.Date", value)


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        return _wired(_wire.read_time(value, WireTime), value)
    raise _wire.invalid("Edm.TimeOfDay", value)


def _parse_duration(value: Any) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, str):
        return _wired(_wire.read_duration(value, WireDuration), value)
    raise _wire.invalid("Edm.Duration", value)


def _aware(value: dt.datetime) -> dt.datetime:
    """A datetime built in Python must say which instant it is: Graph reads a naive one in a
    zone of its own choosing (wire text without an offset is kept as it was received).
    """
    if value.tzinfo is None and _wire_text(value) is None:
        raise ValueError(
            f"naive datetime {value.isoformat()!r}: Edm.DateTimeOffset needs a timezone "
            "(e.g. datetime.now(timezone.utc) or value.replace(tzinfo=timezone.utc))"
        )
    return value


def _wire_text(value: object) -> str | None:
    """The text a Wire* value was parsed from (None for a plain stdlib value)."""
    return value.wire if isinstance(value, _WireValue) else None


def _dump_datetime(value: dt.datetime) -> str:
    return _wire_text(value) or _wire.write_datetime(_aware(value))


def _dump_date(value: dt.date) -> str:
    return _wire_text(value) or value.isoformat()


def _dump_time(value: dt.time) -> str:
    return _wire_text(value) or value.isoformat()


def _dump_duration(value: dt.timedelta) -> str:
    return _wire_text(value) or _wire.write_duration(value)


# Each wire type validates with its parser and, in JSON mode, emits the wire
# text it was parsed from (or canonical ISO-8601 for values built in Python).
DateTimeOffset = Annotated[
    dt.datetime,
    PlainValidator(_parse_datetime),
    PlainSerializer(_dump_datetime, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Date = Annotated[
    dt.date,
    PlainValidator(_parse_date),
    PlainSerializer(_dump_date, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date"}),
]
TimeOfDay = Annotated[
    dt.time,
    PlainValidator(_parse_time),
    PlainSerializer(_dump_time, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "time"}),
]
Duration = Annotated[
    dt.timedelta,
    PlainValidator(_parse_duration),
    PlainSerializer(_dump_duration, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "duration"}),
]

_L = TypeVar("_L")
Lenient = Annotated[_L | Any, Field(union_mode="left_to_right")]
"""`Lenient[X]`: an X when the value validates as one, else the value as it is. For types
no page defines: they may be objects, enum strings or anything."""

#: Edm.Double / Single: ``int | float`` so that ``5`` stays ``5`` and ``5.0`` stays ``5.0``.
Double = int | float

# --------------------------------------------------------------------------
# Base model and polymorphism registry
# --------------------------------------------------------------------------

# True while GraphModel.__init__ validates the object it is building.
_CONSTRUCTING: ContextVar[bool] = ContextVar("_CONSTRUCTING", default=False)
# True while a mapping is validated (pydantic calls __init__ for it: no keyword check there).
_PARSING: ContextVar[bool] = ContextVar("_PARSING", default=False)
# True while a response body is validated: the models built remember what they received.
_FROM_SERVICE: ContextVar[bool] = ContextVar("_FROM_SERVICE", default=False)
# The model currently dumped through its own class's serializer.
_SERIALIZING: ContextVar[Any] = ContextVar("_SERIALIZING", default=None)


@functools.cache
def _init_names(cls: type["GraphModel"]) -> frozenset[str]:
    """What a constructor accepts: attribute names (and, at run time, wire names)."""
    names = set(cls.model_fields)
    for field in cls.model_fields.values():
        for alias in (field.alias, field.validation_alias, field.serialization_alias):
            if isinstance(alias, str):
                names.add(alias)
    return frozenset(names)


@functools.cache
def _wire_names(cls: type["GraphModel"]) -> dict[str, str]:
    """attribute -> wire name, for the fields whose wire name differs."""
    return {
        name: field.serialization_alias
        for name, field in cls.model_fields.items()
        if field.serialization_alias and field.serialization_alias != name
    }


@functools.cache
def read_only_properties(cls: type["GraphModel"]) -> frozenset[str]:
    """The wire names a class and its bases document as read-only (``READ_ONLY``)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        names.update(vars(klass).get("READ_ONLY", ()))
    return frozenset(names)


@functools.cache
def _derived_odata_type(cls: type["GraphModel"]) -> str | None:
    """``#microsoft.graph.x`` for a class derived from another documented type (the service
    needs it to tell an iosStoreApp from the mobileApp a property declares), else None.
    """
    own = vars(cls).get("ODATA_TYPE")
    if not isinstance(own, str) or not own:
        return None
    for base in cls.__mro__[1:]:
        if isinstance(vars(base).get("ODATA_TYPE"), str):
            return "#" + own.lstrip("#")
    return None


class GraphModel(BaseModel):
    """Base class of all generated models.

    The constructor takes attribute names (``Cart(display_name=...)``) and refuses unknown
    ones; parsing (``from_dict``, responses) reads wire names and keeps unknown properties.
    Remembers which properties were set (PATCH semantics) and their order, and turns a dict
    whose ``@odata.type`` names a registered subclass into that subclass.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,  # pydantic < 2.11; superseded by validate_by_name
        validate_by_name=True,
        validate_by_alias=True,
        validate_assignment=True,
        protected_namespaces=(),
        arbitrary_types_allowed=False,
    )

    odata_type: str | None = Field(
        default=None, validation_alias="@odata.type", serialization_alias="@odata.type"
    )
    """The OData type name (``#microsoft.graph.user``); set by derived types themselves."""

    OPEN_TYPE: ClassVar[bool] = False
    """True for types whose instances may hold properties the docs do not list."""

    _wire_keys: tuple[str, ...] = PrivateAttr(default=())
    # The wire dict this object was parsed from, when it came from a response: what a PATCH
    # compares with (only what changed since is sent).
    _received: dict[str, Any] | None = PrivateAttr(default=None)
    # Built by a constructor call (not parsed): a derived type then names itself when sent.
    _built: bool = PrivateAttr(default=False)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _RENAMED[cls] = _renamed(cls)
        if cls.__private_attributes__.keys() == _PRIVATE.keys():
            # pydantic-core calls model_post_init by name for every object it builds; this
            # one makes the three private attributes without pydantic's generic loop.
            cls.model_post_init = _private_defaults  # type: ignore[method-assign,assignment]

    def __init__(self, /, **data: Any) -> None:
        cls = type(self)
        # called by the user, not by pydantic for a parsed mapping; an open type (or a
        # placeholder nobody documents) takes any key, and instance annotations
        # (`members@odata.bind`) are wire keys, never typos
        if not _PARSING.get() and not cls.OPEN_TYPE:
            unknown = sorted(k for k in set(data) - _init_names(cls) if "@" not in k)
            if unknown:
                raise TypeError(
                    f"{cls.__name__}() got unexpected keyword argument(s) "
                    f"{', '.join(map(repr, unknown))} "
                    "(from_dict() keeps unknown wire properties)"
                )
        token = _CONSTRUCTING.set(True)
        try:
            super().__init__(**data)
        finally:
            _CONSTRUCTING.reset(token)
        self._built = not _PARSING.get()

    # Parsing (model_validate, nested values) goes straight to the validator: pydantic would
    # otherwise call this __init__ for every parsed mapping, and the mapping would be validated
    # through `_graph_dispatch` twice. The check above is for constructor calls only.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_validator(mode="wrap")
    @classmethod
    def _graph_dispatch(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        mapping = type(data) is dict or isinstance(data, Mapping)
        if _CONSTRUCTING.get():
            # `Cart(...)` builds a Cart; only nested values may be dispatched.
            _CONSTRUCTING.set(False)
            result = handler(data)
        elif mapping:
            odata_type = data.get("@odata.type")
            if odata_type is not None:
                target = resolve_model(odata_type, _scope(cls))
                if target is not None and target is not cls and issubclass(target, cls):
                    return target.model_validate(data, context=info.context)
            if cls.__pydantic_custom_init__:  # a subclass with an __init__ of its own
                parsing = _PARSING.set(True)
                try:
                    result = handler(data)
                finally:
                    _PARSING.reset(parsing)
            else:
                result = handler(data)
        else:
            return handler(data)
        if mapping and isinstance(result, GraphModel):
            # straight into the private dict (BaseModel.__setattr__ costs more than the rest)
            private = result.__pydantic_private__
            if private is not None:
                private["_wire_keys"] = tuple(data)
                if _FROM_SERVICE.get():
                    # a response's decoded JSON belongs to nobody else: kept, not copied
                    private["_received"] = data if type(data) is dict else dict(data)
            else:  # pragma: no cover - pydantic always makes the dict for private attributes
                result._wire_keys = tuple(data)
                if _FROM_SERVICE.get():
                    result._received = dict(data)
        return result

    # No return annotation: pydantic would take it for the serialization JSON schema
    # (``Any``: an empty schema) instead of the model's own.
    @model_serializer(mode="wrap")
    def _graph_serialize(  # type: ignore[no-untyped-def]
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ):
        if _SERIALIZING.get() is self:
            return _received_order(self, handler(self))
        # A field declared as a base class would only dump the base's fields
        # (serialize_as_any would bypass the wire types): re-enter through the
        # instance's own class, which puts the keys in order.
        # pydantic-core types these two more narrowly than SerializationInfo does
        include: Any = info.include
        exclude: Any = info.exclude
        return self._dump_own(
            mode=info.mode,
            by_alias=info.by_alias,
            include=include,
            exclude=exclude,
            context=info.context,
            exclude_unset=info.exclude_unset,
            exclude_defaults=info.exclude_defaults,
            exclude_none=info.exclude_none,
            round_trip=info.round_trip,
        )

    def _dump_own(self, **options: Any) -> Any:
        """What model_dump(**options) gives, through this class's own serializer at once."""
        token = _SERIALIZING.set(self)
        try:
            return type(self).__pydantic_serializer__.to_python(self, **options)
        finally:
            _SERIALIZING.reset(token)

    def __eq__(self, other: object) -> bool:
        # BaseModel.__eq__ would also compare the remembered key order.
        if not isinstance(other, GraphModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Validate a wire dict, dispatching on ``@odata.type``."""
        if isinstance(data, Mapping) and not isinstance(data, dict):
            data = dict(data)
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        """The wire dict: only properties that were received or set."""
        token = _SERIALIZING.set(self)  # _dump_own, inline: called once per item
        try:
            dumped: dict[str, Any] = type(self).__pydantic_serializer__.to_python(
                self, mode="json", by_alias=True, exclude_unset=True
            )
        finally:
            _SERIALIZING.reset(token)
        return dumped

    def to_body(
        self, *, changes_only: bool = False, read_only: bool = False
    ) -> dict[str, Any]:
        """What a request sends: ``to_dict()`` without the documented read-only properties
        the service sent (unless ``read_only``), and for a PATCH (``changes_only``) only what
        was set or changed since the object was parsed from a response. A value set to None
        is sent as null. An object not parsed from a response sends all it was given; one
        built by its constructor whose class derives from another documented type also
        sends its ``@odata.type`` (but in a PATCH)."""
        data = self.to_dict()
        odata_type = _derived_odata_type(type(self))
        if (
            self._built
            and odata_type
            and not changes_only
            and "@odata.type" not in data
        ):
            data = {"@odata.type": odata_type, **data}
        received = self._received
        if received is None:
            return data
        skip = frozenset() if read_only else read_only_properties(type(self))
        return {
            key: value
            for key, value in data.items()
            if not (
                key in received
                and received[key] == value
                and (changes_only or key in skip)
            )
        }

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        return cls.from_dict(json.loads(text))

    def to_json(self) -> str:
        """``to_dict()`` as JSON text (default separators, non-ASCII kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


@functools.cache
def _scope(cls: type[GraphModel]) -> str:
    """The models package a class belongs to (where `resolve_model` looks first)."""
    return cls.__module__.rpartition(".")[0]


# class -> _renamed(class), filled as each class is made (a dict lookup on every dump)
_RENAMED: dict[type[GraphModel], frozenset[str]] = {}
_PRIVATE: dict[str, Any] = {"_wire_keys": (), "_received": None, "_built": False}


def _private_defaults(self: GraphModel, context: Any, /) -> None:
    """GraphModel's private attributes at their defaults (what pydantic would set)."""
    if self.__pydantic_private__ is None:
        object.__setattr__(self, "__pydantic_private__", dict(_PRIVATE))


@functools.cache
def _renamed(cls: type[GraphModel]) -> frozenset[str]:
    """The attribute names of the fields whose wire name differs."""
    return frozenset(_wire_names(cls))


def _received_order(model: GraphModel, dumped: Any) -> Any:
    """A dumped model with its keys in the order they were received; keys not received
    follow in pydantic's order."""
    private = model.__pydantic_private__
    keys = private["_wire_keys"] if private is not None else model._wire_keys
    if not keys or not isinstance(dumped, dict):
        return dumped
    cls = type(model)
    if (_RENAMED.get(cls) or _renamed(cls)).isdisjoint(keys):
        # the common case: every key was received by its wire name (or is not renamed)
        ordered = {key: dumped[key] for key in keys if key in dumped}
        if len(ordered) == len(dumped):
            return ordered
    last = len(keys)
    rank: dict[str, int] = {}
    for index, key in enumerate(keys):
        rank.setdefault(key, index)
    for name, wire in _wire_names(type(model)).items():
        if name in rank or wire in rank:
            index = min(rank.get(name, last), rank.get(wire, last))
            rank[name] = rank[wire] = index
    return dict(sorted(dumped.items(), key=lambda item: rank.get(item[0], last)))


# (scope, type key) -> "module:Class". The scope is the models package that registered the
# entry, so that beta and v1.0 packages in one tree can both define microsoft.graph.user.
_REGISTRY: dict[tuple[str, str], str] = {}
_RESOLVED: dict[tuple[str, str], type[GraphModel]] = {}


def _type_key(odata_type: str) -> str:
    return odata_type.strip().lstrip("#").lower()


def register_models(mapping: Mapping[str, str], scope: str = "") -> None:
    """Register ``{"microsoft.graph.x": "package.module:ClassName"}`` entries."""
    for odata_type, location in mapping.items():
        key = (scope, _type_key(odata_type))
        _REGISTRY[key] = location
        _RESOLVED.pop(key, None)


def resolve_model(odata_type: str | None, scope: str = "") -> type[GraphModel] | None:
    """The registered model class for an OData type name, imported on first use: first in
    `scope` (a models package), then among entries registered without a scope."""
    if not isinstance(odata_type, str):
        return None
    type_key = _type_key(odata_type)
    for key in ((scope, type_key), ("", type_key)):
        if key in _RESOLVED:
            return _RESOLVED[key]
        location = _REGISTRY.get(key)
        if location is None:
            continue
        module_name, _, attribute = location.partition(":")
        model = getattr(importlib.import_module(module_name), attribute)
        if not (isinstance(model, type) and issubclass(model, GraphModel)):
            raise TypeError(f"{location} is not a GraphModel subclass")
        _RESOLVED[key] = model
        return model
    return None


def dump_body(body: Any, *, patch: bool = False) -> Any:
    """JSON-ready form of a request body: models via to_body() (for a PATCH, only what
    changed since the model was parsed), wire types as text; a mapping is sent as it is.
    """
    if isinstance(body, GraphModel):
        return body.to_body(changes_only=patch)
    if isinstance(body, Mapping):
        return {key: dump_body(value) for key, value in body.items()}
    if isinstance(body, (list, tuple)):
        return [dump_body(value) for value in body]
    for kind, dump in _BODY_DUMPERS:
        if isinstance(body, kind):
            return dump(body)
    return body


# datetime before date: a datetime is also a date.
_BODY_DUMPERS: tuple[tuple[type, Callable[[Any], str]], ...] = (
    (dt.datetime, _dump_datetime),
    (dt.date, _dump_date),
    (dt.time, _dump_time),
    (dt.timedelta, _dump_duration),
)

# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class GraphError(Exception):
    """Base class of every error raised by the client."""


class APIStatusError(GraphError):
    """The service answered with a status the operation does not document."""

    def __init__(
        self,
        *,
        status_code: int,
        body: str = "",
        code: str | None = None,
        message: str | None = None,
        request_id: str | None = None,
        client_request_id: str | None = None,
        date: str | None = None,
        inner_error: dict[str, Any] | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
        permissions: tuple[str, ...] = (),
    ) -> None:
        self.status_code = status_code
        self.retry_after = retry_after
        """Seconds the service asked to wait (``Retry-After``), when it said."""
        self.permissions = permissions
        """The permissions the operation's page documents, one kind a line, least privileged
        first (``Delegated (work or school account): User.Read, User.ReadWrite.All``)."""
        self.body = body
        self.code = code
        self.message = message
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.date = date
        self.inner_error = inner_error
        self.response = response
        head = f"{status_code} {code}" if code else str(status_code)
        detail = (
            message or body.strip()[:200] or httpx.codes.get_reason_phrase(status_code)
        )
        text = f"{head}: {detail}" if detail else head
        if request_id:
            text += f" (request-id: {request_id})"
        if permissions and status_code == 403:
            text += "; the documented permissions (least privileged first) are: "
            text += "; ".join(permissions)
        super().__init__(text)


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401"""


class PermissionDeniedError(APIStatusError):
    """403"""


class NotFoundError(APIStatusError):
    """404"""


class ConflictError(APIStatusError):
    """409"""


class PreconditionFailedError(APIStatusError):
    """412"""


class RateLimitError(APIStatusError):
    """429: ``retry_after`` says how long the service asked to wait."""


class InternalServerError(APIStatusError):
    """Any 5xx status."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: RateLimitError,
}


class ResponseParseError(GraphError):
    """A success response whose body is not what the operation documents."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        self.response = response
        self.status_code = response.status_code if response is not None else None
        self.body = _response_text(response) if response is not None else ""
        super().__init__(f"{message} (HTTP {self.status_code})")


class APIConnectionError(GraphError):
    """The request did not get a response (network or protocol failure)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


def _response_text(response: httpx.Response) -> str:
    try:
        return response.text
    except httpx.ResponseNotRead:
        return ""


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _loads(text: str) -> Any:
    """json.loads tolerating a UTF-8 BOM; raises ValueError on bad JSON."""
    try:
        return json.loads(text.lstrip("\ufeff"))
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def error_from_response(
    response: httpx.Response, permissions: tuple[str, ...] = ()
) -> APIStatusError:
    """Build the typed error for a response, whatever its body looks like."""
    body = _response_text(response)
    try:
        payload = _loads(body)
    except ValueError:
        payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    code = message = inner = None
    if isinstance(error, dict):
        code = _str_or_none(error.get("code"))
        message = error.get("message")
        if isinstance(message, dict):  # OData v3 style {"lang": ..., "value": ...}
            message = message.get("value")
        message = _str_or_none(message)
        inner = error.get("innerError", error.get("innererror"))
        inner = inner if isinstance(inner, dict) else None
    elif isinstance(error, str) and isinstance(payload, dict):  # OAuth style
        code, message = error, _str_or_none(payload.get("error_description"))
    details = inner or {}
    status = response.status_code
    error_class = _STATUS_ERRORS.get(status) or (
        InternalServerError if status >= 500 else APIStatusError
    )
    return error_class(
        status_code=status,
        body=body,
        code=code,
        message=message,
        request_id=_str_or_none(details.get("request-id"))
        or response.headers.get("request-id"),
        client_request_id=_str_or_none(details.get("client-request-id"))
        or response.headers.get("client-request-id"),
        date=_str_or_none(details.get("date")) or response.headers.get("date"),
        inner_error=inner,
        response=response,
        retry_after=_retry_after(response),
        permissions=permissions,
    )


def raise_for_status(
    response: httpx.Response,
    expected: Collection[int],
    permissions: tuple[str, ...] = (),
) -> None:
    if response.status_code not in expected:
        raise error_from_response(response, permissions)


SUCCESS: Collection[int] = range(200, 300)
"""What generated methods accept: any 2xx (a server answering 200 where the docs say 201 has
not failed); the documented status is in each method's docstring."""


def quote_segment(value: Any) -> str:
    """A path parameter, percent-encoded but for the characters a path segment may hold
    (booleans as OData writes them: true, false)."""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return quote(text, safe="!$&'()*+,;=:@")


class OpenEnum(str, enum.Enum):
    """Base of generated enums: a str Enum that also accepts members the docs did not list
    (servers add members; parsing must not fail on them)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)


# --------------------------------------------------------------------------
# Response decoding and paging
# --------------------------------------------------------------------------


@functools.cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def _validate(response: httpx.Response, model_cls: Any, data: Any) -> Any:
    token = _FROM_SERVICE.set(True)
    try:
        if isinstance(model_cls, type) and issubclass(model_cls, GraphModel):
            return model_cls.from_dict(data)
        return _adapter(model_cls).validate_python(data)
    except ValidationError as exc:
        name = getattr(model_cls, "__name__", repr(model_cls))
        raise ResponseParseError(
            f"response body does not match {name}: {exc.error_count()} error(s)",
            response=response,
        ) from exc
    finally:
        _FROM_SERVICE.reset(token)


def _validate_items(
    response: httpx.Response, item_cls: Any, values: list[Any]
) -> list[Any]:
    """`_validate` of each value, the context set once for all of them."""
    if not (isinstance(item_cls, type) and issubclass(item_cls, GraphModel)):
        return [_validate(response, item_cls, value) for value in values]
    token = _FROM_SERVICE.set(True)
    try:
        validate = item_cls.model_validate
        return [
            validate(
                dict(value)
                if isinstance(value, Mapping) and not isinstance(value, dict)
                else value
            )
            for value in values
        ]
    except ValidationError as exc:
        raise ResponseParseError(
            f"response body does not match {item_cls.__name__}: {exc.error_count()} error(s)",
            response=response,
        ) from exc
    finally:
        _FROM_SERVICE.reset(token)


def parse_json(response: httpx.Response) -> Any:
    try:
        return _loads(_response_text(response))
    except ValueError as exc:
        raise ResponseParseError(
            "response body is not valid JSON", response=response
        ) from exc


def parse_model(response: httpx.Response, model_cls: type[T]) -> T:
    """The body validated as `model_cls` (a GraphModel or any pydantic type); a GraphModel's
    object written inside ``{"value": {...}}`` is read from there (``_wire.enveloped``).
    """
    data = parse_json(response)
    if isinstance(model_cls, type) and issubclass(model_cls, GraphModel):
        data = _wire.enveloped(data, _declares_value(model_cls), _names_type(model_cls))
    value: T = _validate(response, model_cls, data)
    return value


def _declares_value(cls: type[GraphModel]) -> bool:
    return any(
        name == "value" or field.serialization_alias == "value"
        for name, field in cls.model_fields.items()
    )


def _names_type(cls: type[GraphModel]) -> Callable[[str], bool]:
    def names(odata_type: str) -> bool:
        own = vars(cls).get("ODATA_TYPE")
        if isinstance(own, str) and _type_key(own) == _type_key(odata_type):
            return True
        target = resolve_model(odata_type, cls.__module__.rpartition(".")[0])
        return target is not None and issubclass(target, cls)

    return names


class Page(Generic[T]):
    """One page of a collection response: its items and the OData annotations beside them."""

    def __init__(self, response: httpx.Response, item_cls: Any) -> None:
        data = parse_json(response)
        if not isinstance(data, dict) or not isinstance(data.get("value"), list):
            raise ResponseParseError(
                "expected a JSON object with a 'value' array", response=response
            )
        for key in ("@odata.nextLink", "@odata.deltaLink"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise ResponseParseError(f"{key!r} is not a string", response=response)
        count = data.get("@odata.count")
        self.response = response
        self.items: list[T] = _validate_items(response, item_cls, data["value"])
        self.next_link: str | None = data.get("@odata.nextLink") or None
        self.delta_link: str | None = data.get("@odata.deltaLink") or None
        self.count: int | None = (
            count if isinstance(count, int) and not isinstance(count, bool) else None
        )


def parse_bytes(response: httpx.Response) -> bytes:
    return response.content


def parse_any(response: httpx.Response) -> Any:
    """A body the docs name no model for: decoded JSON when it is JSON, the bytes when the
    service sent something else (CSV, an image, a zip), None when it sent nothing."""
    if not response.content:
        return None
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and not kind.endswith(("/json", "+json")):
        return response.content
    return parse_json(response)


def parse_count(response: httpx.Response) -> int:
    """A ``$count`` body such as ``893`` (text/plain, maybe with a BOM)."""
    text = _response_text(response).lstrip("\ufeff").strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ResponseParseError(
            f"expected an integer count, got {text[:50]!r}", response=response
        )
    return int(text)


def _first_url(response: httpx.Response) -> set[str]:
    try:
        return {str(response.request.url)}
    except RuntimeError:  # a response built without a request
        return set()


class _PagerBase(Generic[T]):
    def __init__(self, first: Page[T], item_cls: type[T]) -> None:
        self.first_page = first
        self._item_cls = item_cls

    @property
    def items(self) -> list[T]:
        """The first page's items."""
        return self.first_page.items

    @property
    def next_link(self) -> str | None:
        return self.first_page.next_link

    @property
    def count(self) -> int | None:
        """``@odata.count`` of the first page (asked for with ``count=True``), else None."""
        return self.first_page.count

    @property
    def delta_link(self) -> str | None:
        """``@odata.deltaLink`` of the first page (a delta query's last page has it)."""
        return self.first_page.delta_link


class Pager(_PagerBase[T]):
    """A collection response: ``items`` is the first page; iterating yields every item of
    every page, following ``@odata.nextLink`` lazily, and starts again from the first page
    each time (the first page is not fetched again). ``pages()`` yields whole pages; after a
    delta query, the last page's ``delta_link`` is the one to keep."""

    def __init__(
        self, core: "SyncCore", response: httpx.Response, item_cls: type[T]
    ) -> None:
        super().__init__(Page(response, item_cls), item_cls)
        self._core = core
        self._iterator: Iterator[T] | None = None

    def pages(self) -> Iterator[Page[T]]:
        page, seen = self.first_page, _first_url(self.first_page.response)
        while True:
            yield page
            link = page.next_link
            if link is None or link in seen:
                return
            seen.add(link)
            page = Page(self._core.request("GET", link), self._item_cls)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def __next__(self) -> T:
        if self._iterator is None:
            self._iterator = iter(self)
        return next(self._iterator)


class AsyncPager(_PagerBase[T]):
    """Async twin of `Pager`: ``items`` is the first page; ``async for`` yields every item
    (again from the start each time), ``pages()`` every page."""

    def __init__(
        self, core: "AsyncCore", response: httpx.Response, item_cls: type[T]
    ) -> None:
        super().__init__(Page(response, item_cls), item_cls)
        self._core = core
        self._iterator: AsyncIterator[T] | None = None

    async def pages(self) -> AsyncIterator[Page[T]]:
        page, seen = self.first_page, _first_url(self.first_page.response)
        while True:
            yield page
            link = page.next_link
            if link is None or link in seen:
                return
            seen.add(link)
            page = Page(await self._core.request("GET", link), self._item_cls)

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def __anext__(self) -> T:
        if self._iterator is None:
            self._iterator = self._items()
        return await self._iterator.__anext__()


PathTemplate = tuple[str, ...]
"""A documented path as literal text and parameter names, alternating: ("/users/", "user_id", "")."""


def build_path(
    templates: tuple[PathTemplate, ...],
    values: Mapping[str, Any],
    url: str | None = None,
) -> str:
    """The documented path that uses the most of the given parameters (first one on a tie),
    with each parameter percent-encoded as a path segment; or `url`, when the caller gave one.
    """
    if url is not None:
        return url
    given = {name for name, value in values.items() if value is not None}
    chosen = _wire.choose_path([template[1::2] for template in templates], given)
    if chosen is None:
        missing = sorted(set(templates[0][1::2]) - given)
        raise TypeError(f"missing path parameter(s): {', '.join(missing)}")
    best = templates[chosen]
    return "".join(
        part if index % 2 == 0 else quote_segment(values[part])
        for index, part in enumerate(best)
    )


def odata_query(**options: Any) -> dict[str, Any]:
    """OData system query options as ``$name`` parameters; lists are comma-joined."""
    return {f"${name}": value for name, value in options.items() if value is not None}


# --------------------------------------------------------------------------
# HTTP cores
# --------------------------------------------------------------------------


class AccessToken(Protocol):
    """What a credential's ``get_token`` returns (azure-identity's ``AccessToken``)."""

    @property
    def token(self) -> str: ...

    @property
    def expires_on(self) -> int: ...


class TokenCredential(Protocol):
    """The azure-identity credential protocol (``DefaultAzureCredential`` and the others,
    sync or from ``azure.identity.aio``), without importing azure-identity."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


TokenSource = str | Callable[[], str] | Callable[[], Awaitable[str]] | TokenCredential
"""A bearer token, a function returning one (called for every request; the async client
also awaits an async one), or a credential with ``get_token(*scopes)``."""

Content = (
    bytes | bytearray | memoryview | IO[bytes] | Iterable[bytes] | AsyncIterable[bytes]
)
"""A raw request body: bytes, a binary file object or an iterator of chunks (streamed, never
read into memory whole)."""

Timeout = float | httpx.Timeout
GRAPH_SCOPES: tuple[str, ...] = ("https://graph.microsoft.com/.default",)
USER_AGENT = "docgen-graph-client"
_MISSING: Any = object()
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_RETRY_STATUSES = frozenset({429, 503, 504})
# Connection failures (not timeouts waiting for an answer): idempotent methods retry them.
_CONNECTION_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)
_MAX_RETRY_AFTER = 60.0
_RETRY_BUDGET = 120.0
# Characters left readable in query values; everything else (incl. + & = #) is escaped.
_QUERY_SAFE = "$'(),:;/@!*"
# Query parameters whose values are secrets (pre-authenticated download URLs and the like).
_SECRET_QUERY = re.compile(r"token|sig|secret|password|auth|key|code", re.IGNORECASE)

log = logging.getLogger(__name__.rpartition(".")[0] or __name__)
"""The package's logger (``graph_client``): silent unless configured; DEBUG lines give each
attempt's method, URL (secrets removed), status, request id and attempt number."""
log.addHandler(logging.NullHandler())

# Set by with_raw_response(): the responses of the call (the last one is the method's).
_CAPTURE: ContextVar[list[httpx.Response] | None] = ContextVar("_CAPTURE", default=None)
# Set by with_streaming_response(): the call's success response is returned unread.
_STREAM: ContextVar[bool] = ContextVar("_STREAM", default=False)
# Set by the task helpers (``_tasks``, a batch): a core hands each request to this
# function, with request()'s arguments, instead of sending it.
_INTERCEPT: ContextVar[Callable[..., httpx.Response] | None] = ContextVar(
    "_INTERCEPT", default=None
)


class _Streamed(Exception):
    """Carries a streamed success response out of the method that requested it."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


def _is_content(value: object) -> bool:
    """A raw body (bytes, file, iterator), not a JSON value."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return True
    if isinstance(value, (str, Mapping, list, tuple, GraphModel)) or value is None:
        return False
    return (
        hasattr(value, "read")
        or hasattr(value, "__iter__")
        or hasattr(value, "__aiter__")
    )


def redact(url: str) -> str:
    """The URL as logged: values of secret-looking query parameters replaced by ``***``."""
    base, sep, query = url.partition("?")
    if not sep:
        return url
    parts = []
    for item in query.split("&"):
        name, eq, _ = item.partition("=")
        parts.append(f"{name}=***" if eq and _SECRET_QUERY.search(name) else item)
    return f"{base}?{'&'.join(parts)}"


class RawResponse(Generic[T]):
    """What ``client.with_raw_response(client.method)(...)`` returns: the HTTP response of
    the call and the value the method returned."""

    def __init__(self, http_response: httpx.Response, parsed: T) -> None:
        self.http_response = http_response
        self._parsed = parsed

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        return _str_or_none(self.http_response.headers.get("request-id"))

    @property
    def etag(self) -> str | None:
        return _str_or_none(self.http_response.headers.get("etag"))

    def parse(self) -> T:
        """The value the method returned (a model, a pager, bytes...)."""
        return self._parsed


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_query_text(item) for item in value)
    return str(dump_body(value))


def _encode_query(params: Mapping[str, Any]) -> str:
    return "&".join(
        f"{quote(str(key), safe='$')}={quote(_query_text(value), safe=_QUERY_SAFE)}"
        for key, value in params.items()
        if value is not None
    )


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (delta-seconds or HTTP date), or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class _CoreBase:
    """Request building, authentication and retry policy shared by SyncCore and AsyncCore."""

    def __init__(
        self,
        *,
        token: TokenSource,
        base_url: str,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        scopes: tuple[str, ...] = GRAPH_SCOPES,
        max_retry_after: float = _MAX_RETRY_AFTER,
        retry_budget: float = _RETRY_BUDGET,
    ) -> None:
        if not (
            isinstance(token, str) or callable(token) or hasattr(token, "get_token")
        ):
            raise TypeError(
                "token must be a string, a function returning one, or a credential "
                f"with get_token(*scopes), not {type(token).__name__}"
            )
        self._token = token
        self.scopes = tuple(scopes)
        self.base_url = base_url.rstrip("/")
        self.max_retries = max(0, max_retries)
        self.max_retry_after = max_retry_after
        self.retry_budget = retry_budget
        self.default_headers: dict[str, str] = dict(default_headers or {})
        self.default_query: dict[str, Any] = {}
        self.timeout: Timeout | None = None  # None: the httpx client's own
        self._cached: tuple[str, float] | None = None  # a credential's token, expiry
        self._owns_client = True

    def with_options(
        self,
        *,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Self:
        """A copy sending through the same HTTP client (which the copy does not close)."""
        clone = copy.copy(self)
        clone._owns_client = False
        if timeout is not None:
            clone.timeout = timeout
        if max_retries is not None:
            clone.max_retries = max(0, max_retries)
        clone.default_headers = {**self.default_headers, **(extra_headers or {})}
        clone.default_query = {**self.default_query, **(extra_query or {})}
        return clone

    # ---- authentication

    def _credential_token(self, result: Any) -> str:
        token = getattr(result, "token", None)
        if not isinstance(token, str):
            raise TypeError("get_token() did not return an access token with .token")
        expires = getattr(result, "expires_on", None)
        if isinstance(expires, (int, float)):
            # refreshed five minutes before it expires
            self._cached = (token, float(expires) - 300.0)
        return token

    def _cached_token(self) -> str | None:
        if self._cached is not None and self._cached[1] > time.time():
            return self._cached[0]
        return None

    def _check_token(self, value: object) -> str:
        if not isinstance(value, str):
            raise TypeError(
                f"the token function returned {type(value).__name__}, not str"
            )
        return value

    def _token_sync(self) -> str:
        source = self._token
        if isinstance(source, str):
            return source
        if hasattr(source, "get_token"):
            cached = self._cached_token()
            if cached is not None:
                return cached
            result = cast(TokenCredential, source).get_token(*self.scopes)
            if inspect.isawaitable(result):
                _discard(result)
                raise TypeError("an async credential needs AsyncGraphClient")
            return self._credential_token(result)
        value = cast(Callable[[], object], source)()
        if inspect.isawaitable(value):
            _discard(value)
            raise TypeError("an async token function needs AsyncGraphClient")
        return self._check_token(value)

    async def _token_async(self) -> str:
        source = self._token
        if isinstance(source, str):
            return source
        if hasattr(source, "get_token"):
            cached = self._cached_token()
            if cached is not None:
                return cached
            result = cast(TokenCredential, source).get_token(*self.scopes)
            if inspect.isawaitable(result):
                result = await result
            return self._credential_token(result)
        value = cast(Callable[[], object], source)()
        if inspect.isawaitable(value):
            value = await value
        return self._check_token(value)

    # ---- requests

    def _url(self, path: str, params: Mapping[str, Any] | None) -> str:
        # The path is used verbatim; httpx leaves $ ( ) ' , = : unescaped.
        if path.startswith(("https://", "http://")):
            url = path
        else:
            url = self.base_url + ("" if path.startswith("/") else "/") + path
        # Encoded by hand: httpx's params= would replace a query already in the URL.
        merged = {**self.default_query, **(params or {})}
        query = _encode_query(merged) if merged else ""
        if query:
            url += ("&" if "?" in url else "?") + query
        return url

    def _headers(
        self,
        token: str,
        headers: Mapping[str, str | None] | None,
        content_type: str | None,
    ) -> httpx.Headers:
        merged = httpx.Headers(
            {
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                "Authorization": f"Bearer {token}",
            }
        )
        if content_type:
            merged["Content-Type"] = content_type
        for source in (self.default_headers, headers or {}):
            for name, value in source.items():
                if value is not None:
                    merged[name] = value
                elif name in merged:
                    del merged[name]
        return merged

    def _body(
        self,
        json_body: Any,
        content: Any,
        extra_body: Mapping[str, Any] | None,
        content_type: str | None,
    ) -> tuple[Any, str | None]:
        """(what httpx sends, its Content-Type)."""
        if json_body is not _MISSING and _is_content(json_body):
            json_body, content = _MISSING, json_body  # an upload
        if json_body is _MISSING:
            if extra_body:
                raise TypeError("extra_body needs a JSON body")
            if content is None:
                return None, None
            if isinstance(content, (bytearray, memoryview)):
                content = bytes(content)
            kind = content_type or (
                None if isinstance(content, str) else "application/octet-stream"
            )
            return content, kind
        if content is not None:
            raise TypeError("pass either json_body or content, not both")
        value = dump_body(json_body)
        if extra_body:
            if not isinstance(value, dict):
                raise TypeError("extra_body needs a JSON object body")
            value = {**value, **dump_body(extra_body)}
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8"), content_type or "application/json"

    def _prepare(
        self,
        json_body: Any,
        content: Any,
        extra_body: Mapping[str, Any] | None,
        content_type: str | None,
        max_retries: int | None,
    ) -> tuple[Any, str | None, int | None, int]:
        """(body, its Content-Type, the file position to rewind to, the retry count)."""
        body, kind = self._body(json_body, content, extra_body, content_type)
        retries = self.max_retries if max_retries is None else max(0, max_retries)
        start = _rewind(body).tell() if _rewind(body) is not None else None
        if not _replayable(body) and start is None:
            retries = 0  # an iterator cannot be sent twice
        return body, kind, start, retries

    def _backoff(self, attempt: int) -> float:
        return min(0.5 * 2.0**attempt, 8.0) * (0.75 + 0.25 * random.random())

    def _retry_delay(
        self,
        method: str,
        attempt: int,
        max_retries: int,
        spent: float,
        response: httpx.Response | None,
        error: Exception | None,
    ) -> float | None:
        """Seconds to wait before retrying, or None when the outcome is final. Idempotent
        methods retry 429, 503, 504 and connection errors; the others only a 429 or 503 with
        Retry-After (the service says it did not act). A Retry-After beyond max_retry_after,
        or a wait past the call's retry budget, is final (the error says how long)."""
        if attempt >= max_retries:
            return None
        idempotent = method in _IDEMPOTENT
        if error is not None:
            if not (idempotent and isinstance(error, _CONNECTION_ERRORS)):
                return None
            delay = self._backoff(attempt)
        else:
            if response is None or response.status_code not in _RETRY_STATUSES:
                return None
            after = _retry_after(response)
            if not idempotent and (after is None or response.status_code == 504):
                return None
            if after is not None and after > self.max_retry_after:
                return None
            delay = after if after is not None else self._backoff(attempt)
        if spent + delay > self.retry_budget:
            return None
        return delay

    def _log(
        self, request: httpx.Request, outcome: httpx.Response | Exception, attempt: int
    ) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        url = redact(str(request.url))
        if isinstance(outcome, Exception):
            log.debug(
                "%s %s -> %s (attempt %d)",
                request.method,
                url,
                type(outcome).__name__,
                attempt + 1,
            )
        else:
            log.debug(
                "%s %s -> %d (request-id %s, attempt %d)",
                request.method,
                url,
                outcome.status_code,
                outcome.headers.get("request-id", "-"),
                attempt + 1,
            )

    def _done(
        self,
        response: httpx.Response,
        expected: Collection[int],
        permissions: tuple[str, ...],
    ) -> httpx.Response:
        raise_for_status(response, expected, permissions)
        captured = _CAPTURE.get()
        if captured is not None:
            captured.append(response)
        if _STREAM.get():
            raise _Streamed(response)
        return response


def _spent(started: float, waited: float) -> float:
    """Seconds a call has taken so far (at least what it slept: a test's sleep may not)."""
    return max(time.monotonic() - started, waited)


def _timeout(value: Timeout | None) -> Any:
    """A per-call or with_options() timeout, else the httpx client's own."""
    return httpx.USE_CLIENT_DEFAULT if value is None else value


def _discard(value: object) -> None:
    """Close a coroutine that will not be awaited (no "never awaited" warning)."""
    close = getattr(value, "close", None)
    if callable(close):
        close()


def _replayable(content: Any) -> bool:
    """Whether a body can be sent again on a retry (a seekable file is rewound)."""
    return content is None or isinstance(content, (bytes, str))


def _rewind(content: Any) -> Any:
    if hasattr(content, "seek") and hasattr(content, "tell"):
        return content
    return None


async def _async_chunks(content: Any) -> AsyncIterator[bytes]:
    """A sync file or iterator as the async stream AsyncClient needs."""
    if hasattr(content, "read"):
        while chunk := content.read(65536):
            yield chunk
    else:
        for chunk in content:
            yield chunk


def _transport_error(exc: httpx.HTTPError) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request timed out: {exc!r}")
    return APIConnectionError(f"connection error: {exc!r}")


class SyncCore(_CoreBase):
    """Authenticated, retrying transport for the synchronous client."""

    def __init__(
        self,
        *,
        token: TokenSource,
        base_url: str,
        timeout: Timeout = 30.0,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        scopes: tuple[str, ...] = GRAPH_SCOPES,
        max_retry_after: float = _MAX_RETRY_AFTER,
        retry_budget: float = _RETRY_BUDGET,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            token=token,
            base_url=base_url,
            max_retries=max_retries,
            default_headers=default_headers,
            scopes=scopes,
            max_retry_after=max_retry_after,
            retry_budget=retry_budget,
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass either transport or http_client, not both")
        self._owns_client = http_client is None
        # httpx drops Authorization when a redirect leads to another origin.
        self.http_client = http_client or httpx.Client(
            transport=transport, timeout=timeout, follow_redirects=True
        )
        self._sleep = sleep

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = _MISSING,
        content: Any = None,
        headers: Mapping[str, str | None] | None = None,
        expected: Collection[int] = (200,),
        timeout: Timeout | None = None,
        max_retries: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        content_type: str | None = None,
        permissions: tuple[str, ...] = (),
    ) -> httpx.Response:
        """Send a request (path relative to base_url, or an absolute URL)."""
        method = method.upper()
        intercept = _INTERCEPT.get()
        if intercept is not None:
            return intercept(
                self,
                method,
                path,
                params=params,
                json_body=json_body,
                content=content,
                headers=headers,
                expected=expected,
                extra_body=extra_body,
                content_type=content_type,
                permissions=permissions,
            )
        body, kind, start, retries = self._prepare(
            json_body, content, extra_body, content_type, max_retries
        )
        url, stream = self._url(path, params), _STREAM.get()
        attempt, started, waited = 0, time.monotonic(), 0.0
        while True:
            if start is not None:
                body.seek(start)
            request = self.http_client.build_request(
                method,
                url,
                headers=self._headers(self._token_sync(), headers, kind),
                content=body,
                timeout=_timeout(timeout or self.timeout),
            )
            try:
                response = self.http_client.send(request, stream=stream)
            except httpx.HTTPError as exc:
                self._log(request, exc, attempt)
                delay = self._retry_delay(
                    method, attempt, retries, _spent(started, waited), None, exc
                )
                if delay is None:
                    raise _transport_error(exc) from exc
            else:
                self._log(request, response, attempt)
                delay = self._retry_delay(
                    method, attempt, retries, _spent(started, waited), response, None
                )
                if delay is None:
                    if stream and response.status_code not in expected:
                        response.read()
                    return self._done(response, expected, permissions)
                response.close()
            self._sleep(delay)
            attempt, waited = attempt + 1, waited + delay

    def close(self) -> None:
        if self._owns_client:
            self.http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncCore(_CoreBase):
    """Async twin of `SyncCore` over httpx.AsyncClient."""

    def __init__(
        self,
        *,
        token: TokenSource,
        base_url: str,
        timeout: Timeout = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        scopes: tuple[str, ...] = GRAPH_SCOPES,
        max_retry_after: float = _MAX_RETRY_AFTER,
        retry_budget: float = _RETRY_BUDGET,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            token=token,
            base_url=base_url,
            max_retries=max_retries,
            default_headers=default_headers,
            scopes=scopes,
            max_retry_after=max_retry_after,
            retry_budget=retry_budget,
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass either transport or http_client, not both")
        self._owns_client = http_client is None
        self.http_client = http_client or httpx.AsyncClient(
            transport=transport, timeout=timeout, follow_redirects=True
        )
        self._sleep = sleep

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = _MISSING,
        content: Any = None,
        headers: Mapping[str, str | None] | None = None,
        expected: Collection[int] = (200,),
        timeout: Timeout | None = None,
        max_retries: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        content_type: str | None = None,
        permissions: tuple[str, ...] = (),
    ) -> httpx.Response:
        """Send a request (path relative to base_url, or an absolute URL)."""
        method = method.upper()
        intercept = _INTERCEPT.get()
        if intercept is not None:
            return intercept(
                self,
                method,
                path,
                params=params,
                json_body=json_body,
                content=content,
                headers=headers,
                expected=expected,
                extra_body=extra_body,
                content_type=content_type,
                permissions=permissions,
            )
        body, kind, start, retries = self._prepare(
            json_body, content, extra_body, content_type, max_retries
        )
        url, stream = self._url(path, params), _STREAM.get()
        attempt, started, waited = 0, time.monotonic(), 0.0
        while True:
            if start is not None:
                body.seek(start)
            sent = body
            if not _replayable(body) and not hasattr(body, "__aiter__"):
                sent = _async_chunks(body)
            request = self.http_client.build_request(
                method,
                url,
                headers=self._headers(await self._token_async(), headers, kind),
                content=sent,
                timeout=_timeout(timeout or self.timeout),
            )
            try:
                response = await self.http_client.send(request, stream=stream)
            except httpx.HTTPError as exc:
                self._log(request, exc, attempt)
                delay = self._retry_delay(
                    method, attempt, retries, _spent(started, waited), None, exc
                )
                if delay is None:
                    raise _transport_error(exc) from exc
            else:
                self._log(request, response, attempt)
                delay = self._retry_delay(
                    method, attempt, retries, _spent(started, waited), response, None
                )
                if delay is None:
                    if stream and response.status_code not in expected:
                        await response.aread()
                    return self._done(response, expected, permissions)
                await response.aclose()
            await self._sleep(delay)
            attempt, waited = attempt + 1, waited + delay

    async def aclose(self) -> None:
        if self._owns_client:
            await self.http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


# --------------------------------------------------------------------------
# What the generated clients inherit: options, raw and streamed responses, request()
# --------------------------------------------------------------------------

P = ParamSpec("P")
R = TypeVar("R")


_C = TypeVar("_C", bound=_CoreBase)


class _ClientBase(Generic[_C]):
    _core: _C

    def with_options(
        self,
        *,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Self:
        """A client with these options for every call, sharing this one's connections."""
        clone = copy.copy(self)
        clone._core = self._core.with_options(
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return clone


class SyncClientBase(_ClientBase[SyncCore]):
    """Base of GraphClient (the generated client adds one accessor per resource group)."""

    _core: SyncCore

    def with_raw_response(self, method: Callable[P, R]) -> Callable[P, RawResponse[R]]:
        """``client.with_raw_response(client.users.get)("id")``: the call's RawResponse
        (status, headers, request id, and the parsed value through ``parse()``)."""

        @functools.wraps(method)
        def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
            captured: list[httpx.Response] = []
            token = _CAPTURE.set(captured)
            try:
                parsed = method(*args, **kwargs)
            finally:
                _CAPTURE.reset(token)
            return RawResponse(captured[-1], parsed)

        return call

    def with_streaming_response(
        self, method: Callable[P, Any]
    ) -> Callable[P, AbstractContextManager[httpx.Response]]:
        """``with client.with_streaming_response(client.items.get_content)(...) as response:``
        the success response unread, to consume with ``iter_bytes()``; closed on exit.
        """

        @functools.wraps(method)
        @contextlib.contextmanager
        def call(*args: P.args, **kwargs: P.kwargs) -> Iterator[httpx.Response]:
            token = _STREAM.set(True)
            try:
                method(*args, **kwargs)
            except _Streamed as streamed:
                response = streamed.response
            else:  # pragma: no cover - every method requests
                raise RuntimeError("the method sent no request")
            finally:
                _STREAM.reset(token)
            try:
                yield response
            finally:
                response.close()

        return call

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = None,
        json: Any = _MISSING,
        content: Content | None = None,
        headers: Mapping[str, str | None] | None = None,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
    ) -> T: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = _MISSING,
        content: Content | None = None,
        headers: Mapping[str, str | None] | None = None,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
    ) -> httpx.Response: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any = None,
        params: Mapping[str, Any] | None = None,
        json: Any = _MISSING,
        content: Content | None = None,
        headers: Mapping[str, str | None] | None = None,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
    ) -> Any:
        """Any endpoint, documented or not, with the client's auth, retries and errors:
        the body parsed as ``cast_to`` (a model or any pydantic type) or the response.
        """
        response = self._core.request(
            method,
            path,
            params=params,
            json_body=json,
            content=content,
            headers=headers,
            expected=SUCCESS,
            timeout=timeout,
            max_retries=max_retries,
        )
        return response if cast_to is None else parse_model(response, cast_to)

    def close(self) -> None:
        self._core.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClientBase(_ClientBase[AsyncCore]):
    """Base of AsyncGraphClient: the asyncio twin of SyncClientBase."""

    _core: AsyncCore

    def with_raw_response(
        self, method: Callable[P, Awaitable[R]]
    ) -> Callable[P, Awaitable[RawResponse[R]]]:
        """``await client.with_raw_response(client.users.get)("id")``: the RawResponse."""

        @functools.wraps(method)
        async def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
            captured: list[httpx.Response] = []
            token = _CAPTURE.set(captured)
            try:
                parsed = await method(*args, **kwargs)
            finally:
                _CAPTURE.reset(token)
            return RawResponse(captured[-1], parsed)

        return call

    def with_streaming_response(
        self, method: Callable[P, Awaitable[Any]]
    ) -> Callable[P, AbstractAsyncContextManager[httpx.Response]]:
        """``async with client.with_streaming_response(client.items.get_content)(...) as r:``"""

        @functools.wraps(method)
        @contextlib.asynccontextmanager
        async def call(
            *args: P.args, **kwargs: P.kwargs
        ) -> AsyncIterator[httpx.Response]:
            token = _STREAM.set(True)
            try:
                await method(*args, **kwargs)
            except _Streamed as streamed:
                response = streamed.response
            else:  # pragma: no cover - every method requests
                raise RuntimeError("the method sent no request")
            finally:
                _STREAM.reset(token)
            try:
                yield response
            finally:
                await response.aclose()

        return call

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = None,
        json: Any = _MISSING,
        content: Content | None = None,
        headers: Mapping[str, str | None] | None = None,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = _MISSING,
        content: Content | None = None,
        headers: Mapping[str, str | None] | None = None,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
    ) -> httpx.Response: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any = None,
        params: Mapping[str, Any] | None = None,
        json: Any = _MISSING,
        content: Content | None = None,
        headers: Mapping[str, str | None] | None = None,
        timeout: Timeout | None = None,
        max_retries: int | None = None,
    ) -> Any:
        """Any endpoint, with the client's auth, retries and errors (see SyncClientBase)."""
        response = await self._core.request(
            method,
            path,
            params=params,
            json_body=json,
            content=content,
            headers=headers,
            expected=SUCCESS,
            timeout=timeout,
            max_retries=max_retries,
        )
        return response if cast_to is None else parse_model(response, cast_to)

    async def aclose(self) -> None:
        await self._core.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
