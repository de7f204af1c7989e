"""Does a documented JSON example fit the documented types? (Used when planning example tests.)

A generated test parses the documented response into its model and expects `to_dict()` to give
the same JSON back. That holds only when every value is what its property's type accepts *and
writes back unchanged*: a page whose example says `"size": "big"` for an Int32, `"id": 5` for a
String, or a date that does not exist would produce a test that fails, so such an example is
reported (DG405) and not turned into a test. The rules mirror the generated runtime
(templates/runtime.py.j2: the same patterns; a test checks that they stay the same).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from docgen.ir import Model, TypeKind, TypeRef

_NUM = r"(\d+(?:\.\d+)?)"
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?")
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"([Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DURATION_RE = re.compile(
    rf"([-+])?P(?!$)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
    rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?"
)
_DURATION_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)
_MAX_DEPTH = 50  # models nest through each other; deeper documents are not checked further


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _date(value: Any) -> bool:
    match = isinstance(value, str) and _DATE_RE.fullmatch(value)
    return bool(match) and _valid(lambda: dt.date(*map(int, match.groups())))


def _time(value: Any) -> bool:
    match = isinstance(value, str) and _TIME_RE.fullmatch(value)
    return bool(match) and _valid(lambda: dt.time(int(match[1]), int(match[2]), int(match[3] or 0)))


def _datetime(value: Any) -> bool:
    match = isinstance(value, str) and _DATETIME_RE.fullmatch(value)
    if not match:
        return False
    year, month, day, hour, minute, second, _, offset = match.groups()

    def build() -> None:
        tz = None
        if offset and offset not in ("Z", "z"):
            digits = offset[1:].replace(":", "")
            tz = dt.timezone(dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
        dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz)

    return _valid(build)


def _duration(value: Any) -> bool:
    match = isinstance(value, str) and _DURATION_RE.fullmatch(value)
    if not match:
        return False
    try:
        seconds = sum((Decimal(p) * unit for p, unit in zip(match.groups()[1:], _DURATION_UNITS) if p), Decimal(0))
        dt.timedelta(microseconds=int(seconds * 1_000_000))
    except (OverflowError, InvalidOperation, ValueError):
        return False
    return True


def _valid(build) -> bool:
    try:
        build()
    except (ValueError, OverflowError):
        return False
    return True


_PRIMITIVES = {
    "String": lambda v: isinstance(v, str),
    "Guid": lambda v: isinstance(v, str),
    "Binary": lambda v: isinstance(v, str),
    "Stream": lambda v: isinstance(v, str),
    "Int32": _is_int,
    "Int64": _is_int,
    "Boolean": lambda v: isinstance(v, bool),
    "Double": lambda v: _is_int(v) or isinstance(v, float),
    "Single": lambda v: _is_int(v) or isinstance(v, float),
    "DateTimeOffset": _datetime,
    "Date": _date,
    "TimeOfDay": _time,
    "Duration": _duration,
    "Json": lambda v: True,
}


def mismatch(
    value: Any, model: Model | None, models: dict[str, Model], enums: set[str], fields_of, depth: int = 0
) -> str | None:
    """Why `value` (a documented JSON object) would not round-trip through `model`, or None.
    `fields_of(model)` gives a model's fields, inherited ones included; `models` and `enums` are
    keyed by lower-cased documented name."""
    if value is None or model is None or depth > _MAX_DEPTH:
        return None
    if not isinstance(value, dict):
        return f"a {model.name} is not a JSON object"
    odata = value.get("@odata.type")
    if odata is not None and not isinstance(odata, str):
        return "its '@odata.type' is not a string"
    if isinstance(odata, str):
        named = models.get(odata.strip().lstrip("#").rsplit(".", 1)[-1].lower())
        model = named or model
    types = {f.name: f.type for f in fields_of(model)}
    for wire, item in value.items():
        ref = types.get(wire)
        if ref is None or item is None:
            continue
        problem = _ref_mismatch(item, ref, models, enums, fields_of, depth)
        if problem:
            return f"property {wire!r}: {problem}"
    return None


def _ref_mismatch(value: Any, ref: TypeRef, models, enums, fields_of, depth: int) -> str | None:
    if ref.collection:
        if not isinstance(value, list):
            return "a collection that is not a JSON array"
        for item in value:
            if item is None:  # list[X] holds no None (only a property itself is optional)
                if ref.kind is TypeKind.PRIMITIVE and ref.name == "Json" or ref.kind is TypeKind.ANY:
                    continue
                return "a collection holding null"
            problem = _ref_mismatch(item, _single(ref), models, enums, fields_of, depth)
            if problem:
                return problem
        return None
    if ref.kind is TypeKind.PRIMITIVE:
        check = _PRIMITIVES.get(ref.name)
        return None if check is None or check(value) else f"{str(value)[:40]!r} is not a valid {ref.name}"
    if ref.kind is TypeKind.NAMED:
        key = ref.name.lower()
        if key in enums:
            return None if isinstance(value, str) else f"{str(value)[:40]!r} is not a {ref.name} member"
        return mismatch(value, models.get(key), models, enums, fields_of, depth + 1)
    return None


def _single(ref: TypeRef) -> TypeRef:
    return TypeRef(kind=ref.kind, name=ref.name, collection=False, namespace=ref.namespace, link=ref.link, raw=ref.raw)
