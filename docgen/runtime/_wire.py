"""The Graph wire grammar, in one place: standard library only.

The generated package's ``_runtime`` parses and writes Edm values and picks request paths
with these rules; docgen's generator imports the same module (``docgen.runtime._wire``)
to decide, before it writes a test, whether the runtime will accept a documented value.

Generator-facing API (pure functions; values are JSON values as ``json.loads`` gives them):

- ``fits(edm_type, value)``: whether the runtime accepts ``value`` for the Edm type;
- ``as_is(edm_type, value)``: whether the model holds ``value`` itself (``==`` compares);
- ``iso_kind(edm_type, value)``: which stdlib ``fromisoformat`` reads ``value`` alike on
  every supported Python (an oracle independent of the runtime), if any;
- ``choose_path(paths, given)``: which documented path a call with these parameters uses.
"""

import datetime as dt
import re
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import TypeVar

__all__ = [
    "as_is",
    "choose_path",
    "fits",
    "invalid",
    "iso_kind",
    "kept_as_is",
    "read_date",
    "read_datetime",
    "read_duration",
    "read_time",
    "write_datetime",
    "write_duration",
]

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
# Seconds per Y, M, W, D, H, M, S; years and months are approximations.
_DURATION_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)

_DT = TypeVar("_DT", bound=dt.datetime)
_D = TypeVar("_D", bound=dt.date)
_T = TypeVar("_T", bound=dt.time)
_TD = TypeVar("_TD", bound=dt.timedelta)


def invalid(kind: str, value: object) -> ValueError:
    return ValueError(f"invalid {kind} value: {value!r}")


def _micro(fraction: str | None) -> int:
    # Graph sends up to 7 fractional digits; datetime keeps 6 (truncated).
    return int((fraction or "").ljust(6, "0")[:6])


def _offset(text: str | None) -> dt.tzinfo | None:
    if text is None:
        return None
    if text in ("Z", "z"):
        return dt.UTC
    digits = text[1:].replace(":", "")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return dt.timezone(-delta if text[0] == "-" else delta)


# Each read_* builds a `cls` (a stdlib class or the runtime's subclass of it) from wire text.
# A text of the wrong shape raises invalid(); a well-shaped one naming no real value (30
# February, an offset of 25 hours) raises the ValueError of the datetime module.


def read_datetime(text: str, cls: type[_DT]) -> _DT:
    """An Edm.DateTimeOffset (the time and offset may be left out)."""
    m = _DATETIME_RE.fullmatch(text)
    if m is None:
        raise invalid("Edm.DateTimeOffset", text)
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    parts = (int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    return cls(*parts, int(second or 0), _micro(fraction), _offset(offset))


def read_date(text: str, cls: type[_D]) -> _D:
    """An Edm.Date."""
    m = _DATE_RE.fullmatch(text)
    if m is None:
        raise invalid("Edm.Date", text)
    return cls(*map(int, m.groups()))


def read_time(text: str, cls: type[_T]) -> _T:
    """An Edm.TimeOfDay (seconds may be left out)."""
    m = _TIME_RE.fullmatch(text)
    if m is None:
        raise invalid("Edm.TimeOfDay", text)
    hour, minute, second, fraction = m.groups()
    return cls(int(hour), int(minute), int(second or 0), _micro(fraction))


def read_duration(text: str, cls: type[_TD]) -> _TD:
    """An ISO-8601 Edm.Duration; out of timedelta's range is invalid() too."""
    m = _DURATION_RE.fullmatch(text)
    if m is None:
        raise invalid("Edm.Duration", text)
    sign, *parts = m.groups()
    seconds = sum(
        (Decimal(p) * unit for p, unit in zip(parts, _DURATION_UNITS) if p),
        Decimal(0),
    )
    micros = int(seconds * 1_000_000)  # int() truncates like _micro()
    try:
        return cls(microseconds=-micros if sign == "-" else micros)
    except OverflowError:
        raise invalid("Edm.Duration", text) from None


def write_datetime(value: dt.datetime) -> str:
    """Canonical wire text of a datetime built in Python (UTC as ``Z``)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def write_duration(value: dt.timedelta) -> str:
    """Canonical ISO-8601 text of a timedelta: ``-P1DT2H3M4.5S``, ``PT0S``."""
    sign, value = ("-", -value) if value < dt.timedelta(0) else ("", value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}P" + (f"{value.days}D" if value.days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or value.microseconds:
        fraction = (
            f".{value.microseconds:06d}".rstrip("0") if value.microseconds else ""
        )
        clock += f"{seconds}{fraction}S"
    if clock:
        text += "T" + clock
    return text if text != f"{sign}P" else "PT0S"


def _reads(read: Callable[[str], object]) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if not isinstance(value, str):
            return False
        try:
            read(value)
        except (ValueError, OverflowError, ArithmeticError):
            return False
        return True

    return check


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


# Types whose model attribute holds the JSON value itself.
_AS_IS: dict[str, Callable[[object], bool]] = {
    "String": _is_str,
    "Guid": _is_str,
    "Int32": _is_int,
    "Int64": _is_int,
    "Boolean": _is_bool,
}
# Types the runtime parses into something else (or keeps, as Binary) when the value fits.
_PARSED: dict[str, Callable[[object], bool]] = {
    "Double": _is_number,
    "Single": _is_number,
    "DateTimeOffset": _reads(lambda text: read_datetime(text, dt.datetime)),
    "Date": _reads(lambda text: read_date(text, dt.date)),
    "TimeOfDay": _reads(lambda text: read_time(text, dt.time)),
    "Duration": _reads(lambda text: read_duration(text, dt.timedelta)),
    "Binary": _is_str,
    "Stream": _is_str,
}


def fits(edm_type: str, value: object) -> bool:
    """Whether the runtime's type for this primitive Edm type (docgen's IR name, without
    ``Edm.``) accepts the non-null JSON value unchanged: no coercion of ``"7"`` to 7 and no
    nonexistent date. Types with no rule (``Json``, names docgen does not know) fit anything.
    """
    check = _AS_IS.get(edm_type) or _PARSED.get(edm_type)
    return check is None or check(value)


def as_is(edm_type: str, value: object) -> bool:
    """Whether the model attribute of this Edm type holds exactly this JSON value (String,
    Guid, Int32, Int64, Boolean that fit), so that ``attribute == value`` tests it."""
    check = _AS_IS.get(edm_type)
    return check is not None and check(value)


def kept_as_is(edm_type: str) -> bool:
    """Whether the model attribute of this Edm type holds its JSON value itself."""
    return edm_type in _AS_IS


# Values the stdlib's fromisoformat reads the same way on every supported Python (3.11+).
_ISO: dict[str, tuple[str, re.Pattern[str]]] = {
    "DateTimeOffset": (
        "datetime",
        re.compile(
            r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$"
        ),
    ),
    "Date": ("date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    "TimeOfDay": ("time", re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")),
}


def iso_kind(edm_type: str, value: object) -> str | None:
    """``"datetime"``, ``"date"`` or ``"time"``: the ``datetime`` module class whose
    ``fromisoformat`` reads this JSON value the same way on every supported Python; None
    when there is none (another type, not a string, or a form some versions refuse)."""
    entry = _ISO.get(edm_type)
    if entry is None or not isinstance(value, str) or not entry[1].match(value):
        return None
    return entry[0]


def choose_path(paths: Sequence[Collection[str]], given: Collection[str]) -> int | None:
    """The index of the documented path a call uses, from each path's parameter names and
    the names the caller gave (not None): of the paths all of whose names are given, the one
    with the most names, the first on a tie; None when no path can be filled."""
    have = set(given)
    best: int | None = None
    most = -1
    for index, names in enumerate(paths):
        unique = set(names)
        if len(unique) > most and unique <= have:
            best, most = index, len(unique)
    return best


def enveloped(
    body: object, declares_value: bool, names_own_type: Callable[[str], bool]
) -> object:
    """A single-object response some pages write as ``{"value": {...}}`` (the Intune pages):
    the object inside, when ``value`` is the body's only property (instance annotations such
    as ``@odata.context`` aside), it is an object, and either the model declares no ``value``
    property or the object's ``@odata.type`` names the model's own type (or one derived from
    it: ``names_own_type``). Any other body is returned as it is."""
    if not isinstance(body, dict):
        return body
    inner = body.get("value")
    properties = [key for key in body if "@" not in key]
    if properties != ["value"] or not isinstance(inner, dict):
        return body
    odata = inner.get("@odata.type")
    if not declares_value or (isinstance(odata, str) and names_own_type(odata)):
        return inner
    return body
