"""Stage 4: per-page IR -> ApiSpec. One model per type name (case-insensitive), a resource
page winning over a request-body table; bases kept only when defined; placeholders for types
that are used but defined nowhere (an enum instead when a description lists the values)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from docgen.diagnostics import Sink
from docgen.ir import (
    ApiSpec,
    Enum,
    EnumMember,
    Field,
    Model,
    ModelOrigin,
    Page,
    TypeKind,
    TypeRef,
)

_RANK = {ModelOrigin.RESOURCE: 0, ModelOrigin.REQUEST_BODY: 1, ModelOrigin.PLACEHOLDER: 2}


def link(pages: list[Page], sink: Sink) -> ApiSpec:
    pages = sorted(pages, key=lambda p: p.path)
    enums: dict[str, Enum] = {}
    for page in pages:
        for enum in page.enums:
            enums.setdefault(enum.name.lower(), enum)
    candidates: dict[str, list[Model]] = {}
    for page in pages:
        for model in page.models:
            if model.name.lower() not in enums:
                candidates.setdefault(model.name.lower(), []).append(model)
    # The best-ranked definition wins; ties go to the first page in path order.
    models = {key: min(found, key=lambda m: _RANK[m.origin]) for key, found in candidates.items()}
    placeholders: dict[str, Model] = {}
    for model in list(models.values()):
        for field in model.fields:
            _need(field, models, enums, placeholders, sink)
    for page in pages:
        operation = page.operation
        if operation is None:
            continue
        for ref in (
            operation.response.type if operation.response else None,
            operation.request_body.type if operation.request_body else None,
        ):
            if ref is not None and ref.kind is TypeKind.NAMED and ref.name.lower() not in enums:
                if ref.name.lower() not in models and ref.name.lower() not in placeholders:
                    placeholders[ref.name.lower()] = Model(
                        name=ref.name, namespace=page.namespace, origin=ModelOrigin.PLACEHOLDER, span=operation.span
                    )
    models.update(placeholders)
    resolved = tuple(_drop_undefined_base(model, models) for _, model in sorted(models.items()))
    return ApiSpec(pages=tuple(pages), models=resolved, enums=tuple(e for _, e in sorted(enums.items())))


_POSSIBLE = re.compile(r"possible values (?:are|include)\s*:?\s*(.+)", re.IGNORECASE)
_MEMBER = re.compile(r"^[A-Za-z_][\w]*$")


def possible_values(description: str) -> tuple[str, ...]:
    """Members listed as "Possible values are: `a`, `b`, or `c`." in a description."""
    match = _POSSIBLE.search(description)
    if not match:
        return ()
    text = re.split(r"\.(?:\s|$)", match.group(1), maxsplit=1)[0]
    words = [w.strip(" `*'\"") for w in re.split(r",|\bor\b|\band\b", text)]
    members = [w for w in words if _MEMBER.match(w)]
    return tuple(dict.fromkeys(members)) if len(members) >= 2 else ()


def _need(field: Field, models: dict, enums: dict, placeholders: dict, sink: Sink) -> None:
    ref = field.type
    key = ref.name.lower()
    if ref.kind is not TypeKind.NAMED or key in models or key in enums or key in placeholders:
        return
    members = possible_values(field.description)
    if members:
        # No page defines the type, but the description lists its values: an enum.
        enums[key] = Enum(
            name=ref.name,
            namespace=ref.namespace or "microsoft.graph",
            members=tuple(EnumMember(name=m, span=field.span) for m in members),
            description=f"Values listed in the description of {field.name}.",
            span=field.span,
        )
        return
    where = f" (link {ref.link} is not in the input)" if ref.link else ""
    sink.report(
        "DG203",
        field.span,
        f"type {ref.name!r} of property {field.name!r} is defined by no page{where}",
    )
    placeholders[key] = Model(
        name=ref.name, namespace=ref.namespace or "microsoft.graph", origin=ModelOrigin.PLACEHOLDER, span=field.span
    )


def _drop_undefined_base(model: Model, models: dict[str, Model]) -> Model:
    """A base that no page defines is dropped: the model keeps its own listed fields."""
    if model.base is None or model.base.lower() in models:
        return model
    return dataclasses.replace(model, base=None)


ODATA_TYPE = "@odata.type"  # every model carries it already: a documented `@odata.type` row adds nothing


@dataclass(frozen=True, slots=True)
class TypeIndex:
    """One API version's types by lower-cased documented name (links resolve case-insensitively)."""

    models: Mapping[str, Model]
    enums: frozenset[str]
    placeholders: frozenset[str]  # models that no page defines

    @classmethod
    def of(cls, spec: ApiSpec) -> TypeIndex:
        return cls(
            models={m.name.lower(): m for m in spec.models},
            enums=frozenset(e.name.lower() for e in spec.enums),
            placeholders=frozenset(m.name.lower() for m in spec.models if m.origin is ModelOrigin.PLACEHOLDER),
        )

    def model(self, ref: TypeRef | None) -> Model | None:
        """The model (not enum) a reference names, if there is one."""
        if ref is None or ref.kind is not TypeKind.NAMED:
            return None
        return self.models.get(ref.name.lower())


def chain(model: Model, models: Mapping[str, Model]) -> list[Model]:
    """The model and its bases, the model first; a cycle is cut."""
    result, seen = [], set()
    current: Model | None = model
    while current is not None and current.name.lower() not in seen:
        seen.add(current.name.lower())
        result.append(current)
        current = models.get(current.base.lower()) if current.base else None
    return result


def all_fields(model: Model, models: Mapping[str, Model]) -> list[Field]:
    """Fields of the base chain (outermost first), then the model's own; a cycle is cut."""
    result: dict[str, Field] = {}
    for item in reversed(chain(model, models)):
        for f in item.fields:
            if f.name != ODATA_TYPE:
                result.setdefault(f.name, f)
    return list(result.values())
