"""Keys for what a stage made from a plan object, so that an unchanged plan is not rendered again;
and pickles of frozen, slotted dataclasses (the IR) that load several times faster.

A plan object's key hashes its value: every field, recursively, with each class named (by module
and qualified name). Equal keys mean equal plans of the same classes, and rendering prints only a
plan's fields, so a key names one rendered text while docgen's code and the templates stay the
same (both are in the key too). A key never needs to be unpickled: the pickler below only has to
be deterministic and cheap. It reduces a dataclass to (class, field values) through one C-level
attrgetter, where pickle's default goes through `dataclasses.fields()` for every object."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import operator
import pickle
from collections.abc import Callable
from typing import Any

_GETTERS: dict[type, Callable[[Any], Any]] = {}


def _getter(cls: type) -> Callable[[Any], Any] | None:
    getter = _GETTERS.get(cls)
    if getter is None and dataclasses.is_dataclass(cls):
        names = [f.name for f in dataclasses.fields(cls)]
        single = operator.attrgetter(*names) if names else (lambda obj: ())
        # attrgetter of one name returns the value itself, not a 1-tuple
        getter = single if len(names) != 1 else (lambda obj, get=single: (get(obj),))
        _GETTERS[cls] = getter
    return getter


class _KeyPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if isinstance(obj, str):  # Code, StrEnum members: the class and the text
            return cls, (str(obj),)
        getter = _getter(cls) if not isinstance(obj, type) else None
        if getter is None:
            return NotImplemented
        return cls, getter(obj)


def _setters(cls: type) -> tuple[Callable[[Any, Any], None], ...] | None:
    """The slot descriptors' setters of a slotted dataclass's fields (they bypass frozen
    __setattr__, as dataclasses' own unpickling does), or None when a field is not a slot."""
    setters = _SETTERS.get(cls)
    if setters is None:
        descriptors = [getattr(cls, f.name, None) for f in dataclasses.fields(cls)]
        if not all(type(d).__name__ == "member_descriptor" for d in descriptors):
            return None
        setters = _SETTERS[cls] = tuple(d.__set__ for d in descriptors)  # type: ignore[union-attr]
    return setters


_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}


def rebuild(cls: type, values: tuple[Any, ...]) -> Any:
    """A dataclass instance from its field values (what `dumps` pickles it as)."""
    obj = object.__new__(cls)
    for setter, value in zip(_SETTERS.get(cls) or _setters(cls) or (), values):
        setter(obj, value)
    return obj


class _FastPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if isinstance(obj, type) or not dataclasses.is_dataclass(cls):
            return NotImplemented
        getter = _getter(cls)
        if getter is None or _setters(cls) is None:
            return NotImplemented
        return rebuild, (cls, getter(obj))


def dumps(value: Any) -> bytes:
    """pickle.dumps, except that slotted dataclasses load through `rebuild`: pickle's default
    calls dataclasses.fields() for every object it loads, most of the time of loading the IR."""
    buffer = io.BytesIO()
    _FastPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def value_key(*parts: Any) -> str | None:
    """A hash of the values (plan objects, tuples, strings...), or None when one cannot be
    pickled (the caller then does the work without a memo)."""
    buffer = io.BytesIO()
    try:
        _KeyPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(parts)
    except Exception:  # an unpicklable value: no key, never a wrong one
        return None
    return hashlib.sha256(buffer.getbuffer()).hexdigest()[:32]


class RenderMemo:
    """Plan key -> the hash of the text it rendered to, kept in the cache ("rendered" entries).
    Keys cover docgen's code and every template of the run (the overlay folder's and the
    defaults), so an edited template renders everything again."""

    def __init__(self, cache: Any, overlay: Any) -> None:
        from docgen.config import default_templates
        from docgen.speed.fingerprint import digest, folder_fingerprint, tool_fingerprint

        self.cache = cache
        templates = folder_fingerprint(overlay, "*.j2") + ["defaults"] + folder_fingerprint(default_templates(), "*.j2")
        self.salt = digest(tool_fingerprint(), *templates) if cache.root is not None else ""

    def key(self, item: Any) -> str | None:
        if not self.salt:  # no cache: no lookups, no keys
            return None
        return value_key(self.salt, item.sources, item.plan)

    def rendered(self, key: str | None) -> str | None:
        found = self.cache.get("rendered", key) if key is not None else None
        return found.decode("ascii") if found is not None and len(found) == 32 else None

    def remember(self, key: str | None, rendered: str) -> None:
        if key is not None:
            self.cache.put("rendered", key, rendered.encode("ascii"))
