"""Client methods: one per operation page, with its paths, parameters and result kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from docgen import naming
from docgen.diagnostics import Sink
from docgen.ir import BodyKind, Operation, Page, TypeKind
from docgen.plan.models import Names
from docgen.render import LINE_LENGTH, Code, comment, fit, py

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}|<([^<>/]*)>")
_GENERIC = {"id", "key", "value", "name", ""}
# OData system query options a method may document -> (keyword, annotation)
QUERY_OPTIONS = {
    "select": "str | _t.Sequence[str]",
    "filter": "str",
    "search": "str",
    "orderby": "str | _t.Sequence[str]",
    "expand": "str | _t.Sequence[str]",
    "top": "int",
    "skip": "int",
    "count": "bool",
    "skiptoken": "str",
    "format": "str",
}
_NOT_PARAMETERS = {"authorization", "content-type", "content-length", "accept", "host"}


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

    def template(self) -> Code:
        """The runtime's PathTemplate literal (literal text and parameter names alternating),
        laid out for a line of its own in a module-level tuple."""
        items: list[str] = []
        for index, part in enumerate(self.literal_parts):
            items.append(part)
            if index < len(self.names):
                items.append(self.names[index])
        one_line = py(tuple(items))
        if 4 + len(one_line) + 1 <= LINE_LENGTH:
            return one_line
        if len(items) == 1:  # a one-tuple keeps its comma when black explodes it
            return Code(f"(\n        {py(items[0])},\n    )")
        return fit("(", [py(item) for item in items], ")", 4, after=",")


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


@dataclass(frozen=True, slots=True)
class OperationPlan:
    """What the templates need of one operation, plus the facts the example tests need."""

    view: dict[str, Any]
    paths: tuple[PathPlan, ...]
    options: tuple[str, ...]
    header_params: tuple[tuple[str, Code], ...]  # (wire header, keyword)
    page: Page


def method_names(pages: list[Page], sink: Sink) -> list[Code]:
    """Names from page titles. Pages whose titles give the same name are all named after
    their file instead (stable: only pages sharing a title affect each other)."""
    wanted = [naming.method_name(p.operation.title) for p in pages]  # type: ignore[union-attr]
    counts = {name: wanted.count(name) for name in wanted}
    result = []
    for page, name in zip(pages, wanted):
        if counts[name] > 1:
            stem = page.path.rsplit("/", 1)[-1].removesuffix(".md")
            qualified = naming.method_name(stem)
            sink.report(
                "DG501",
                page.span,
                f"method name {name!r} is shared by {counts[name]} pages; this one is {qualified!r}",
            )
            name = qualified
        result.append(name)
    return naming.unique(result)


def plan_operation(page: Page, method: Code, names: Names) -> OperationPlan:
    op: Operation = page.operation  # type: ignore[assignment]
    http_method = op.paths[0].method
    paths: list[PathPlan] = []
    for path in op.paths:
        plan = split_path(path.path)
        if path.method == http_method and plan not in paths:
            paths.append(plan)
    required = [n for n in paths[0].names if all(n in p.names for p in paths)]
    optional = [n for p in paths for n in p.names if n not in required]
    optional = list(dict.fromkeys(optional))
    taken = set(required) | set(optional) | {"body", "params", "headers", "self", "url"}
    options = tuple(o for o in op.query_options if o in QUERY_OPTIONS and o not in taken)
    taken |= set(options)
    header_params = []
    for header in op.headers:
        keyword = naming.parameter_name(header.name)
        if header.name.lower() not in _NOT_PARAMETERS and keyword not in taken:
            taken.add(keyword)
            header_params.append((header.name, keyword))
    response_key = names.model_key(op.response.type if op.response else None)
    body_key = names.model_key(op.request_body.type if op.request_body else None)
    returns = _returns(op, paths[0], response_key)
    has_body = http_method in ("POST", "PUT", "PATCH") and (
        op.request_body is not None or any(e.request.body.kind is not BodyKind.NONE for e in op.examples)
    )
    imports = sorted({k for k in (response_key, body_key) if k})
    group_key = response_key or body_key
    first_segment = paths[0].literal_parts[0].strip("/").split("/")[0].split("(")[0]
    group = names.modules[group_key] if group_key else naming.module_name(first_segment or "root")
    docs = [op.title, op.description] + [f"{p.method} {p.path}" for p in op.paths]
    if op.response and op.response.status:
        docs.append(f"Documented response: {op.response.status}.")
    docs.append(
        "params and headers add query parameters and headers; url sends the request to that "
        "URL (absolute, or relative to the base URL) instead of one built from the path parameters."
    )
    response_class = names.classes[response_key] if response_key else None
    view = {
        "return_sync": _return_call(returns, response_class, "Pager"),
        "return_async": _return_call(returns, response_class, "AsyncPager"),
        "annotations": _parameter_annotations(op, paths),
        "name": method,
        "http_method": py(http_method),
        "paths": [p.template() for p in paths],
        "paths_const": Code(f"_PATHS_{method.upper()}"),
        "paths_one_line": len(f"_PATHS_{method.upper()} = ({paths[0].template()},)") <= LINE_LENGTH,
        "required": required,
        "optional": optional,
        "options": [{"name": Code(o), "annotation": Code(QUERY_OPTIONS[o])} for o in options],
        "header_params": [{"wire": py(wire), "name": keyword} for wire, keyword in header_params],
        "has_body": has_body,
        "body_key": body_key,  # keys of names.models, for the example checks (never printed)
        "response_key": response_key,
        "body_class": names.classes[body_key] if body_key else None,
        "body_parameter": _body_parameter(names.classes[body_key] if body_key else None),
        "returns": Code(returns),
        "response_class": response_class,
        # the model round trip in the generated tests, laid out for a 4-space function body
        "isinstance_check": response_class and fit("isinstance(", ["result", response_class], ")", 4, len("assert ")),
        "round_trip": response_class
        and fit(f"{response_class}.from_json(", ["result.to_json()"], ")", 4, len("again = ")),
        "imports": [{"module": names.modules[k], "class_name": names.classes[k]} for k in imports],
        "docstring": "\n\n".join(d for d in docs if d),
        "source": comment(str(op.span)),
        "source_page": op.span.path,
        "group": group,
    }
    return OperationPlan(view=view, paths=tuple(paths), options=options, header_params=tuple(header_params), page=page)


def _return_call(returns: str, response_class: str | None, pager: str) -> Code | None:
    """The parsing call a model or collection method returns, laid out after `return ` at 8."""
    if returns == "model":
        return fit("_rt.parse_model(", ["response", str(response_class)], ")", 8, len("return "))
    if returns == "pager":
        return fit(f"_rt.{pager}(", ["self._core", "response", str(response_class)], ")", 8, len("return "))
    return None


def _body_parameter(body_class: str | None) -> Code:
    """`body: X | Mapping` as black lays it out in a signature (at 8 columns)."""
    kinds = ([body_class] if body_class else []) + ["_t.Mapping[str, _t.Any]"]
    line = f"body: {' | '.join(kinds)}"
    if 8 + len(line) + 1 <= LINE_LENGTH or len(kinds) == 1:
        return Code(line)
    return Code(
        "body: (\n" + "\n".join(f"            {'| ' if i else ''}{k}" for i, k in enumerate(kinds)) + "\n        )"
    )


_PARAMETER_TYPES = {"Int32": "int", "Int64": "int", "Boolean": "bool", "Double": "float", "Single": "float"}


def _parameter_annotations(op: Operation, paths: list[PathPlan]) -> dict[str, Code]:
    """Path parameters are str, except function parameters the docs type as numbers or
    booleans (`getX(days={days})` with `days | Int32`)."""
    documented = {naming.snake(p.name): p.type for p in op.parameters if p.type.kind is TypeKind.PRIMITIVE}
    annotations: dict[str, Code] = {}
    for path in paths:
        for holder, name in zip(path.placeholders, path.names):
            key = naming.snake(holder)
            ref = documented.get(key) or documented.get(key.removesuffix("_value"))
            kind = _PARAMETER_TYPES.get(ref.name, "str") if ref is not None and not ref.collection else "str"
            annotations.setdefault(name, Code(kind))
    return annotations


def _returns(op: Operation, path: PathPlan, response_key: str | None) -> str:
    last = path.literal_parts[-1].rstrip("/")
    status = op.response.status if op.response else None
    if last.endswith("/$value") or last == "$value":
        return "bytes"
    if last.endswith("/$count"):
        return "count"
    responses = [e.response for e in op.examples if e.response is not None]
    empty = bool(responses) and all(r.body.kind is BodyKind.NONE for r in responses)
    shows_body = any(r.body.kind is not BodyKind.NONE for r in responses)
    if (status == 204 and not shows_body) or (response_key is None and empty):
        return "none"
    ref = op.response.type if op.response else None
    if response_key and ref is not None and ref.collection:
        return "pager"
    if response_key:
        return "model"
    return "json"
