"""The IR as stable JSON for `docgen parse`: format version, keys sorted, spans as "line"."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from docgen.ir import HttpRequest, HttpResponse, Page, Span

FORMAT_VERSION = 2

# Version 1 shows every example message with all of method, url and status (one IR record once
# held both): a request's status is null, a response's method and url are empty.
_V1_KEYS: dict[type, dict[str, Any]] = {HttpRequest: {"status": None}, HttpResponse: {"method": "", "url": ""}}


def to_json(pages: list[Page]) -> dict[str, Any]:
    return {"format": "docgen-ir", "version": FORMAT_VERSION, "pages": [_value(page) for page in pages]}


def _value(value: Any) -> Any:
    if isinstance(value, Span):
        return value.line
    if dataclasses.is_dataclass(value):
        result = {f.name: _value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        result.update(_V1_KEYS.get(type(value), {}))
        if "span" in result:
            result["line"] = result.pop("span")
        if "annotation" in result:
            result["annotation"] = dict(getattr(value, "annotation"))
        return result
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_value(item) for item in value]
    return value
