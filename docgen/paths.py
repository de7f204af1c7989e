"""Documented paths split at their placeholders, and the Python parameter of each placeholder."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docgen import naming
from docgen.escape import Code

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}|<([^<>/]*)>")
# an API version segment of a documented URL (`/v1.0`, `/beta`): the host's, not the path's
API_VERSION = r"v\d+\.\d+|beta"
# a documented absolute URL's scheme, host and version, which a path leaves out
ABSOLUTE_URL = re.compile(rf"^https?://[^/]+(/({API_VERSION}))?", re.IGNORECASE)
_GENERIC = {"id", "key", "value", "name", ""}


@dataclass(frozen=True, slots=True)
class PathPlan:
    """A documented path split at its placeholders."""

    literal_parts: tuple[str, ...]  # text around placeholders; one more than placeholders
    placeholders: tuple[str, ...]
    names: tuple[Code, ...]  # the Python parameter of each placeholder

    def regex(self) -> re.Pattern[str]:
        pattern = "".join(
            re.escape(part) + ("([^/?]+?)" if i < len(self.placeholders) else "")
            for i, part in enumerate(self.literal_parts)
        )
        return re.compile(pattern + r"/?$", re.IGNORECASE)

    @property
    def items(self) -> tuple[str, ...]:
        """Literal text and parameter names alternating: the runtime's PathTemplate."""
        items: list[str] = []
        for index, part in enumerate(self.literal_parts):
            items.append(part)
            if index < len(self.names):
                items.append(self.names[index])
        return tuple(items)


def split_path(path: str) -> PathPlan:
    parts, holders, last = [], [], 0
    for match in _PLACEHOLDER.finditer(path):
        parts.append(path[last : match.start()])
        holders.append((match.group(1) or match.group(2) or "").split("|")[0].strip())
        last = match.end()
    parts.append(path[last:])
    return PathPlan(tuple(parts), tuple(holders), tuple(_parameter_names(parts, holders)))


def _singular(segment: str) -> str:
    for plural, single in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if segment.endswith(plural):
            return segment[: -len(plural)] + single
    return segment[:-1] if segment.endswith("s") and not segment.endswith("ss") else segment


def _parameter_names(parts: list[str], holders: list[str]) -> list[Code]:
    """`{id}` after `/groups/` is group_id; `{user-id}` is user_id; repeats get _2, _3."""
    names = []
    for index, holder in enumerate(holders):
        before = parts[index]
        if naming.snake(holder) in _GENERIC and before.endswith("/"):
            segment = before.rstrip("/").rsplit("/", 1)[-1].split("(")[0].rsplit(".", 1)[-1]
            if any(ch.isalpha() for ch in segment):
                holder = f"{_singular(segment)}_{naming.snake(holder) or 'id'}"
        names.append(naming.parameter_name(holder))
    return naming.unique(names)
