"""The ApiDoctor-class checks: what an example says against what the page's tables say.

Each check reports through the run's `Sink` with a code of its own (DG801-DG807, see the
README), at the line of the key or value it is about, with a message that says what to change.
They read the linked types of one API version (`TypeIndex`) and the page's text (for lines)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from docgen.diagnostics import Sink
from docgen.extract.examples import STATUS_LINE, classify, first_line
from docgen.ir import (
    BodyKind,
    Enum,
    Example,
    Field,
    HttpRequest,
    HttpResponse,
    Model,
    ModelOrigin,
    Page,
    Span,
    TypeKind,
    TypeRef,
)
from docgen.link import all_fields, chain
from docgen.lint.shapes import derived_types, key_of, operations
from docgen.lint.text import FenceLines, KeyFinder, fence_at, fences
from docgen.runtime import _wire
from docgen.validate import CheckedOperation, ResultKind, ValidatedSpec

_MAX_DEPTH = 8
_REQUIRED = re.compile(r"^\W*required\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Types:
    """One API version's types as the checks need them."""

    validated: ValidatedSpec
    enums: Mapping[str, Enum]
    derived: Mapping[str, tuple[Model, ...]]
    views: Mapping[str, tuple[Field, ...]]  # every resource page's rows of a type (some pages show a part)

    @classmethod
    def of(cls, validated: ValidatedSpec) -> Types:
        """A type known only in part (`link`'s ApiSpec.partial, DG220) has its examples' names unchecked."""
        index = validated.index
        views: dict[str, dict[str, Field]] = {}
        for page in validated.spec.pages:
            for m in page.models:
                rows = views.setdefault(key_of(m), {})  # request body tables count too
                for f in m.fields:
                    rows.setdefault(f.name, f)
        return cls(
            validated=validated,
            enums={key_of(e): e for e in validated.spec.enums},
            derived=derived_types(index.models),
            views={key: tuple(rows.values()) for key, rows in views.items()},
        )

    def documented(self, model: Model) -> dict[str, Field]:
        """The rows of the model and its bases, from every page that shows a part of one."""
        index = self.validated.index
        rows = {f.name: f for f in all_fields(model, index.models)}
        for link in chain(model, index.models):
            for f in self.views.get(key_of(link), ()):
                rows.setdefault(f.name, f)
        return rows


@dataclass(slots=True)
class _Walk:
    """One example body being walked: where to report, and how to find each key's line."""

    sink: Sink
    types: Types
    keys: KeyFinder
    span: Span
    role: str  # "request" or "response"

    def report(self, code: str, key: str | None, message: str) -> None:
        line, col = self.keys.find(key) if key is not None else (self.span.line, 1)
        self.sink.report(code, Span(path=self.span.path, line=line), message, col)


def check_page(page: Page, checked: tuple[CheckedOperation, ...], types: Types, lines: list[str], sink: Sink) -> None:
    """Every example check on one page (`checked`: its operations as validate saw them)."""
    fenced = fences(lines)
    examples = tuple(e for op in operations(page) for e in op.examples)
    _duplicate_names(examples, sink)
    _unpaired_responses(page, examples, fenced, lines, sink)
    at = _PageText(types=types, fenced=fenced, lines=lines, sink=sink)
    for item in checked:
        for example in item.operation.examples:
            _check_request(example, item, at)
            _check_response(example, item, at)


@dataclass(frozen=True, slots=True)
class _PageText:
    """One page's types, text and fences, and where its findings go."""

    types: Types
    fenced: tuple[FenceLines, ...]
    lines: list[str]
    sink: Sink

    def walk(self, message: HttpRequest | HttpResponse, role: str) -> _Walk:
        fence = fence_at(self.fenced, message.span.line)
        keys = KeyFinder(self.lines, message.span.line, fence.end if fence else message.span.line)
        return _Walk(self.sink, self.types, keys, message.span, role)


def _check_request(example: Example, checked: CheckedOperation, at: _PageText) -> None:
    body = example.request.body
    if body.kind is not BodyKind.JSON or not isinstance(body.json, dict):
        return
    walk = at.walk(example.request, "request")
    model = checked.shape.body_model
    table = checked.operation.request_body.fields if checked.operation.request_body else ()
    if model is not None and model.origin is ModelOrigin.RESOURCE:
        _object(walk, body.json, model, 0)
    elif table:
        # A table beside a linked type lists what to send, not all the type holds.
        linked = checked.operation.request_body is not None and checked.operation.request_body.type is not None
        _fields(walk, body.json, {f.name: f for f in table}, "the Request body table", 0, check_names=not linked)
    required = [f.name for f in table if _REQUIRED.match(f.description)]
    missing = [name for name in required if name not in body.json]
    for name in missing:
        walk.report(
            "DG802",
            None,
            f"example {example.name!r} sends no {name!r}, which the Request body table marks required: "
            "add it to the example, or drop 'Required' from its description",
        )


def _check_response(example: Example, checked: CheckedOperation, at: _PageText) -> None:
    response = example.response
    model = checked.shape.response_model
    if response is None or response.body.kind is not BodyKind.JSON or model is None:
        return
    walk = at.walk(response, "response")
    value = response.body.json
    if checked.shape.result is ResultKind.PAGER and isinstance(value, dict) and isinstance(value.get("value"), list):
        walk.keys.find("value")
        items = [item for item in value["value"] if isinstance(item, dict)]
    elif checked.shape.result is ResultKind.MODEL and isinstance(value, dict):
        items = [value]
    else:
        return
    for item in items:
        _polymorphic(walk, example, item, model)
        _object(walk, item, model, 0)


def _polymorphic(walk: _Walk, example: Example, item: dict[str, Any], model: Model) -> None:
    """A response of a type with derived types must say which one it is."""
    derived = walk.types.derived.get(key_of(model), ())
    if not derived:
        return
    odata = item.get("@odata.type")
    names = ", ".join(f"#{m.odata_type}" for m in derived[:5]) + (", ..." if len(derived) > 5 else "")
    if odata is None:
        walk.report(
            "DG806",
            None,
            f"example {example.name!r} returns a {model.name}, which has derived types ({names}), but its "
            f'object has no \'@odata.type\': add "@odata.type": "#{model.odata_type}" or the derived type it is',
        )
        return
    if not isinstance(odata, str):
        return  # validate reports it (DG405)
    found = walk.types.validated.index.by_odata_type(odata)
    allowed = {key_of(model)} | {key_of(m) for m in derived}
    if found is None or key_of(found) not in allowed:
        walk.report(
            "DG807",
            "@odata.type",
            f"'@odata.type' {odata!r} is neither {model.name} nor a type derived from it ({names}): "
            "correct it, or document that type with its base type",
        )


def _object(walk: _Walk, value: dict[str, Any], model: Model, depth: int) -> None:
    index = walk.types.validated.index
    odata = value.get("@odata.type")
    unknown_type = False
    if isinstance(odata, str):
        named = index.by_odata_type(odata)
        if named is not None:
            model = named
        else:  # a type no page of the input documents: its own properties are unknown
            unknown_type = odata.lstrip("#").rsplit(".", 1)[-1].lower() != model.name.lower()
    if key_of(model) in index.placeholders:
        return
    # Only a resource page's tables say what a type holds: a request body table shows a part.
    partial = key_of(model) in index.partial  # known only in part (link: ApiSpec.partial, DG220)
    names = not (model.open_type or partial or unknown_type)
    _fields(walk, value, walk.types.documented(model), f"{model.name}'s property tables", depth, check_names=names)


def _fields(
    walk: _Walk, value: dict[str, Any], documented: dict[str, Field], where: str, depth: int, check_names: bool = True
) -> None:
    lowered = {name.lower(): name for name in documented}
    for key, item in value.items():
        if "@" in key:  # instance annotations: @odata.context, members@odata.bind, ...
            continue
        field = documented.get(key)
        if field is None:
            if not check_names:
                continue
            hint = f" (documented as {lowered[key.lower()]!r}: correct the case)" if key.lower() in lowered else ""
            if key == "value" and depth == 0 and walk.role == "response" and isinstance(item, (dict, list)):
                hint = " (the example wraps the object in 'value', as only a collection response does)"
            walk.report(
                "DG801",
                key,
                f"the {walk.role} example's property {key!r} is in none of {where}{hint}: "
                "add a row for it, or remove it from the example",
            )
            continue
        walk.keys.find(key)
        if item is not None:
            _value(walk, key, item, field.type, depth)


def _value(walk: _Walk, key: str, item: Any, ref: TypeRef, depth: int) -> None:
    if ref.collection and not isinstance(item, list):
        walk.report(
            "DG803", key, f"{key!r} is a single value where the docs type a collection of {ref.name or 'values'}"
        )
        return
    for element in item if ref.collection else [item]:
        problem = _element(walk, element, ref, depth)
        if problem:
            walk.report("DG803", key, f"{key!r} {problem}: change the example or the documented type")
            return


def _element(walk: _Walk, value: Any, ref: TypeRef, depth: int) -> str:
    if value is None or ref.kind is TypeKind.ANY:
        return ""
    if ref.kind is TypeKind.PRIMITIVE:
        return "" if _wire.fits(ref.name, value) else f"= {value!r:.40} is not a {ref.name}"
    enum = walk.types.enums.get(walk.types.validated.index.key(ref))
    if enum is not None:
        members = [m.name for m in enum.members]
        if not isinstance(value, str):
            return f"= {value!r:.40} is not a {ref.name} member (a string)"
        unknown = [part.strip() for part in value.split(",") if part.strip() not in members]  # flags: "a,b"
        if unknown and members:
            cased = {m.lower(): m for m in members}
            if all(part.lower() in cased for part in unknown):
                return f"= {value!r:.40} is a {ref.name} member only case-insensitively (members are case-sensitive)"
            listed = ", ".join(members[:8]) + (", ..." if len(members) > 8 else "")
            return f"= {value!r:.40} is not a member of {ref.name} ({listed})"
        return ""
    index = walk.types.validated.index
    model = index.model(ref)
    if model is None or key_of(model) in index.placeholders:
        return ""
    if not isinstance(value, dict):
        return f"= {value!r:.40} is not a {ref.name} object"
    if depth < _MAX_DEPTH:
        _object(walk, value, model, depth + 1)
    return ""


def _duplicate_names(examples: tuple[Example, ...], sink: Sink) -> None:
    first: dict[str, Example] = {}
    for example in examples:
        earlier = first.setdefault(example.name, example)
        if earlier is not example:
            sink.report(
                "DG805",
                example.span,
                f"example name {example.name!r} is already used at line {earlier.span.line}: "
                'give each example its own "name" in its annotation',
            )


def _unpaired_responses(
    page: Page, examples: tuple[Example, ...], fenced: tuple[FenceLines, ...], lines: list[str], sink: Sink
) -> None:
    """Response fences among the examples that no request took: the extractor drops them."""
    if not examples:
        return
    first_request = min(e.request.span.line for e in examples)
    answered = {e.response.span.line for e in examples if e.response is not None}
    for fence in fenced:
        if fence.start < first_request or classify(fence.content(lines)) != "response":
            continue
        status_line = next(n for n in range(fence.start + 1, fence.end + 1) if lines[n - 1].strip())
        if status_line in answered or _ignored(lines, fence.start):
            continue
        before = [f for f in fenced if f.end < fence.start and classify(f.content(lines)) is not None]
        if before and _redirect(before[-1].content(lines)):
            continue  # what the client gets after following the redirect the response before it shows
        if before and classify(before[-1].content(lines)) == "request" and _ignored(lines, before[-1].start):
            why = (
                f"the request before it (line {before[-1].start + 1}) is marked ignored, so this response "
                'answers nothing: mark it `"blockType": "ignored"` too, or stop ignoring the request'
            )
        else:
            why = (
                "this response answers no request (each request above already has one): add the request it "
                'answers before it, or mark the fence `"blockType": "ignored"`'
            )
        sink.report("DG804", Span(path=page.span.path or page.path, line=status_line), why)


def _redirect(content: str) -> bool:
    """A response fence with a 3xx status."""
    match = STATUS_LINE.match(first_line(content)[1])
    return classify(content) == "response" and match is not None and match.group(1).startswith("3")


def _ignored(lines: list[str], fence_start: int) -> bool:
    """The annotation comment right before a fence says `"blockType": "ignored"`."""
    number = fence_start - 1
    while number >= 1 and not lines[number - 1].strip():
        number -= 1
    if number < 1 or "-->" not in lines[number - 1]:
        return False
    text = ""
    while number >= 1 and number >= fence_start - 12:
        text = lines[number - 1] + "\n" + text
        if "<!--" in lines[number - 1]:
            break
        number -= 1
    return "<!--" in text and re.search(r"\"blockType\"\s*:\s*\"ignored\"", text) is not None
