"""Stage 4: per-page IR -> ApiSpec. A type is known by its namespace and name (case-insensitive):
one model per type, a resource page winning over a request-body table; every NAMED reference
resolved to the namespace of the type it names; bases kept only when defined (by their qualified
name); placeholders for types that are used but defined nowhere (an enum instead when a
description lists the values)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from docgen.diagnostics import Sink
from docgen.ir import (
    ApiSpec,
    BaseSource,
    Enum,
    EnumMember,
    Field,
    Model,
    ModelOrigin,
    Operation,
    Page,
    TypeKind,
    TypeRef,
)

_RANK = {ModelOrigin.RESOURCE: 0, ModelOrigin.REQUEST_BODY: 1, ModelOrigin.PLACEHOLDER: 2}
DEFAULT_NAMESPACE = "microsoft.graph"


def type_key(namespace: str | None, name: str) -> str:
    """A type's identity within one API version: its namespace and name, case-insensitively."""
    return f"{namespace or DEFAULT_NAMESPACE}.{name}".lower()


def key_of(item: Model | Enum) -> str:
    return type_key(item.namespace, item.name)


def spec_order(item: Model | Enum) -> tuple[str, bool, str]:
    """ApiSpec order: by name, the default namespace's type first among types of one name."""
    return (item.name.lower(), item.namespace.lower() != DEFAULT_NAMESPACE, item.namespace.lower())


@dataclass(slots=True)
class _Types:
    """The types defined so far, for resolving a reference written without its namespace."""

    keys: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # bare name (lower) -> keys
    namespaces: dict[str, str] = dataclasses.field(default_factory=dict)  # key -> namespace as written
    pages: dict[str, str] = dataclasses.field(default_factory=dict)  # page path (lower) -> its type's key

    def add(self, namespace: str, name: str) -> str:
        key = type_key(namespace, name)
        found = self.keys.setdefault(name.lower(), [])
        if key not in found:
            found.append(key)
            self.namespaces[key] = namespace
        return key

    def resolve(self, ref: TypeRef, context: str) -> str | None:
        """The key a NAMED reference names: the namespace it is written with, else the type the
        linked page defines, else the referring page's namespace, the default one, or the one
        namespace that defines the name (the first in key order when several do)."""
        found = self.keys.get(ref.name.lower(), [])
        if not found:
            return None
        if ref.namespace:
            qualified = type_key(ref.namespace, ref.name)
            if qualified in found:
                return qualified
        if ref.link:
            linked = self.pages.get(ref.link.lower())
            if linked in found:
                return linked
        for namespace in (context, DEFAULT_NAMESPACE):
            if type_key(namespace, ref.name) in found:
                return type_key(namespace, ref.name)
        return min(found)


def link(pages: list[Page], sink: Sink) -> ApiSpec:
    pages = sorted(pages, key=lambda p: p.path)
    types = _Types()
    enums: dict[str, Enum] = {}
    for page in pages:
        for enum in page.enums:
            enums.setdefault(key_of(enum), enum)
            types.add(enum.namespace, enum.name)
    candidates: dict[str, list[Model]] = {}
    for page in pages:
        for model in page.models:
            if model.origin is ModelOrigin.RESOURCE and key_of(model) not in enums:
                candidates.setdefault(key_of(model), []).append(model)
                types.add(model.namespace, model.name)
                types.pages.setdefault(page.path.lower(), key_of(model))
    for page in pages:
        for model in page.models:
            if model.origin is not ModelOrigin.RESOURCE:
                # A request body table names its type as a link or a bare name: the resource page's
                # type when one defines it, else a type of its own.
                ref = next(
                    (
                        op.request_body.type
                        for op in page.operations
                        if op.request_body
                        and op.request_body.type
                        and op.request_body.type.name.lower() == model.name.lower()
                    ),
                    None,
                )
                key = types.resolve(ref, page.namespace) if ref is not None else None
                key = key or key_of(model)
                if key not in enums:
                    candidates.setdefault(key, []).append(model)
    models = {key: _merge(found, sink) for key, found in candidates.items()}
    for key, model in models.items():
        types.add(model.namespace, model.name)
    placeholders: dict[str, Model] = {}
    for model in list(models.values()):
        for field in model.fields:
            _need(field, model.namespace, types, models, enums, placeholders, sink)
    for page in pages:
        for operation in page.operations:
            for ref in (
                operation.response.type if operation.response else None,
                operation.request_body.type if operation.request_body else None,
            ):
                if ref is not None and ref.kind is TypeKind.NAMED and types.resolve(ref, page.namespace) is None:
                    key = types.add(page.namespace, ref.name)
                    placeholders[key] = Model(
                        name=ref.name, namespace=page.namespace, origin=ModelOrigin.PLACEHOLDER, span=operation.span
                    )
    models.update(placeholders)
    resolved = {key: _resolve_model(model, types, models) for key, model in models.items()}
    linked_pages = tuple(_resolve_page(page, types) for page in pages)
    partial = _partial(pages, linked_pages, models, resolved)
    for key, why in sorted(partial.items()):
        sink.report(
            "DG220",
            resolved[key].span,
            f"type {resolved[key].name!r} is known only in part: {why}; its model "
            "accepts keys it does not declare, and examples' undeclared keys are not checked",
        )
    return ApiSpec(
        pages=linked_pages,
        models=tuple(sorted(resolved.values(), key=spec_order)),
        enums=tuple(sorted(enums.values(), key=spec_order)),
        partial=tuple(sorted(partial.items())),
    )


def _partial(
    pages: list[Page], linked: tuple[Page, ...], stated: dict[str, Model], resolved: dict[str, Model]
) -> dict[str, str]:
    """Types whose tables in the input cannot be all of them (key -> why): only a request body
    table describes it (it lists what a caller sends); a link names its own page, which is not
    in the input (the Intune pages that list two of `user`'s properties stand in for `user.md`);
    or its page states a base that no page defines (the base's properties are unknown)."""
    found: dict[str, str] = {}
    for key, model in resolved.items():
        if model.origin is ModelOrigin.REQUEST_BODY:
            found[key] = "only a request body table describes it"
    present = {page.path.lower() for page in pages}
    for page in linked:
        for ref in _references(page):
            if ref.kind is not TypeKind.NAMED or not ref.link or ref.link.lower() in present:
                continue
            key = type_key(ref.namespace, ref.name)
            if key in resolved and resolved[key].origin is not ModelOrigin.PLACEHOLDER:
                found.setdefault(key, f"its page {ref.link} (linked at {page.span.path}) is not in the input")
    for key, model in resolved.items():
        own = stated[key]
        if (
            model.origin is ModelOrigin.RESOURCE
            and own.base
            and not model.base
            and own.base_source is not BaseSource.NOTES
        ):
            found.setdefault(key, f"its base {own.base!r} is defined by no page")
    # a type derived from a partial one inherits the unknown properties
    changed = True
    while changed:
        changed = False
        for key, model in resolved.items():
            base = model.base.lower() if model.base else None
            if key not in found and base in found and model.origin is not ModelOrigin.PLACEHOLDER:
                found[key] = f"its base {model.base!r} is known only in part"
                changed = True
    return found


def _references(page: Page) -> list[TypeRef]:
    refs = [f.type for m in page.models for f in m.fields]
    for op in page.operations:
        refs += [p.type for p in op.parameters]
        if op.request_body is not None:
            refs += [f.type for f in op.request_body.fields]
            refs += [op.request_body.type] if op.request_body.type else []
        if op.response is not None and op.response.type is not None:
            refs.append(op.response.type)
    return refs


def _defining(model: Model) -> tuple[bool, int, str]:
    """Rank of a page among those that define one type: the page named after the type (`user.md`
    beside Intune pages that also list `user`), then the one with most properties, then path order."""
    stem = model.span.path.rsplit("/", 1)[-1].removesuffix(".md")
    return (stem.lower() != model.name.lower(), -len(model.fields), model.span.path)


def _merge(found: list[Model], sink: Sink) -> Model:
    """One type's model from every page that defines it. Resource pages outrank request-body
    tables (kept only when no page defines the type; the first in path order). Resource pages are
    merged: the union of their properties, the defining page (`_defining`) winning every conflict.
    Each other page, each dropped row and each conflict is reported, naming both lines."""
    best = min(_RANK[m.origin] for m in found)
    found = [m for m in found if _RANK[m.origin] == best]
    if len(found) == 1 or best != _RANK[ModelOrigin.RESOURCE]:
        return found[0]
    primary, *others = sorted(found, key=_defining)
    fields = {f.name: f for f in primary.fields}
    for other in others:
        added = 0
        for f in other.fields:
            kept = fields.get(f.name)
            if kept is None:
                fields[f.name] = f
                added += 1
            elif _same_type(kept.type, f.type):
                sink.report("DG212", f.span, f"property {f.name!r} is also listed at {kept.span}; this row is dropped")
            else:
                sink.report(
                    "DG211",
                    f.span,
                    f"property {f.name!r} is {f.type.raw or f.type.name!r} here and {kept.type.raw or kept.type.name!r}"
                    f" at {kept.span}; the type at {kept.span} is kept",
                )
        if other.base and primary.base and other.base.lower() != primary.base.lower():
            sink.report(
                "DG213", other.span, f"base {other.base!r} here, {primary.base!r} at {primary.span}; the latter is kept"
            )
        sink.report(
            "DG210",
            other.span,
            f"type {other.name!r} is also defined by {primary.span}: merged into it ({added} of this page's "
            f"{len(other.fields)} properties added; the description and base of {primary.span} are kept)",
        )
    return dataclasses.replace(
        primary,
        fields=tuple(fields.values()),
        base=primary.base or next((m.base for m in others if m.base), None),
        base_namespace=(
            primary.base_namespace if primary.base else next((m.base_namespace for m in others if m.base), None)
        ),
        abstract=primary.abstract or any(m.abstract for m in others),
        open_type=primary.open_type or any(m.open_type for m in others),
        key_property=primary.key_property or next((m.key_property for m in others if m.key_property), None),
    )


def _same_type(a: TypeRef, b: TypeRef) -> bool:
    return (a.kind, a.name.lower(), a.collection) == (b.kind, b.name.lower(), b.collection)


def _resolve_ref(ref: TypeRef, types: _Types, context: str) -> TypeRef:
    """The reference with the namespace of the type it names (what TypeIndex looks up)."""
    if ref.kind is not TypeKind.NAMED:
        return ref
    key = types.resolve(ref, context)
    namespace = types.namespaces[key] if key else (ref.namespace or DEFAULT_NAMESPACE)
    return ref if ref.namespace == namespace else dataclasses.replace(ref, namespace=namespace)


def _resolve_fields(fields: tuple[Field, ...], types: _Types, context: str) -> tuple[Field, ...]:
    return tuple(
        f if f.type.kind is not TypeKind.NAMED else dataclasses.replace(f, type=_resolve_ref(f.type, types, context))
        for f in fields
    )


def _resolve_model(model: Model, types: _Types, models: dict[str, Model]) -> Model:
    """Field types resolved; the base named by its qualified name (`microsoft.graph.entity`),
    dropped when no page defines it (the model keeps its own listed fields)."""
    base = _base(model, types, models)
    return dataclasses.replace(
        model,
        fields=_resolve_fields(model.fields, types, model.namespace),
        base=models[base].odata_type if base else None,
    )


def _base(model: Model, types: _Types, models: dict[str, Model]) -> str | None:
    """The key of the model's base. A base the annotation or the prose states is taken when a page
    defines it. Else the `Inherited from` notes decide, and they may name a grandparent: of the
    types they name, one that is an ancestor of another is passed over (the nearer one is the
    base); of the rest, the one most notes name."""

    def key(name: str | None, namespace: str | None = None) -> str | None:
        found = types.resolve(TypeRef(kind=TypeKind.NAMED, name=name, namespace=namespace), model.namespace)
        return found if found in models and found != key_of(model) else None

    if not model.base:
        return None
    stated = key(model.base, model.base_namespace)
    if stated and model.base_source is not BaseSource.NOTES:
        return stated
    notes = [key(f.inherited_from) for f in model.fields if f.inherited_from]
    candidates = sorted({k for k in notes if k} | ({stated} if stated else set()))
    if not candidates:
        return None
    ancestors = {c: _ancestors(c, types, models) for c in candidates}
    nearest = [c for c in candidates if not any(c in ancestors[other] for other in candidates if other != c)]
    return max(nearest or candidates, key=notes.count)


def _ancestors(key: str, types: _Types, models: dict[str, Model]) -> set[str]:
    """The keys of a model's bases as stated on its page (a cycle is cut)."""
    found: set[str] = set()
    current = models.get(key)
    while current is not None and current.base:
        base = types.resolve(
            TypeRef(kind=TypeKind.NAMED, name=current.base, namespace=current.base_namespace), current.namespace
        )
        if base is None or base in found or base == key or base not in models:
            break
        found.add(base)
        current = models[base]
    return found


def _resolve_page(page: Page, types: _Types) -> Page:
    if not page.operations:
        return page
    return dataclasses.replace(
        page, operations=tuple(_resolve_operation(op, types, page.namespace) for op in page.operations)
    )


def _resolve_operation(op: Operation, types: _Types, ns: str) -> Operation:
    body = op.request_body
    if body is not None:
        body = dataclasses.replace(
            body,
            type=_resolve_ref(body.type, types, ns) if body.type else None,
            fields=_resolve_fields(body.fields, types, ns),
        )
    response = op.response
    if response is not None and response.type is not None:
        response = dataclasses.replace(response, type=_resolve_ref(response.type, types, ns))
    parameters = tuple(dataclasses.replace(p, type=_resolve_ref(p.type, types, ns)) for p in op.parameters)
    return dataclasses.replace(op, request_body=body, response=response, parameters=parameters)


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


def _need(field: Field, context: str, types: _Types, models: dict, enums: dict, placeholders: dict, sink: Sink) -> None:
    ref = field.type
    if ref.kind is not TypeKind.NAMED or types.resolve(ref, context) is not None:
        return
    namespace = ref.namespace or DEFAULT_NAMESPACE
    key = types.add(namespace, ref.name)
    members = possible_values(field.description)
    if members:
        # No page defines the type, but the description lists its values: an enum.
        enums[key] = Enum(
            name=ref.name,
            namespace=namespace,
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
    placeholders[key] = Model(name=ref.name, namespace=namespace, origin=ModelOrigin.PLACEHOLDER, span=field.span)


ODATA_TYPE = "@odata.type"  # every model carries it already: a documented `@odata.type` row adds nothing


@dataclass(frozen=True, slots=True)
class TypeIndex:
    """One API version's types by key (`type_key`: namespace and name, lower-cased). After `link`
    every NAMED reference carries the namespace of the type it names; one without (a spec not
    built by `link`) names the type of that name that comes first in the spec."""

    models: Mapping[str, Model]
    enums: frozenset[str]
    placeholders: frozenset[str]  # models that no page defines
    partial: frozenset[str]  # models known only in part (ApiSpec.partial): they take any key
    by_name: Mapping[str, str]  # lower-cased bare name -> key of its first type in spec order

    @classmethod
    def of(cls, spec: ApiSpec) -> TypeIndex:
        by_name: dict[str, str] = {}
        for item in (*spec.models, *spec.enums):
            by_name.setdefault(item.name.lower(), key_of(item))
        return cls(
            models={key_of(m): m for m in spec.models},
            enums=frozenset(key_of(e) for e in spec.enums),
            placeholders=frozenset(key_of(m) for m in spec.models if m.origin is ModelOrigin.PLACEHOLDER),
            partial=frozenset(key for key, _ in spec.partial),
            by_name=by_name,
        )

    def key(self, ref: TypeRef) -> str:
        """The key of the type a NAMED reference names (defined or not)."""
        if ref.namespace is None:
            return self.by_name.get(ref.name.lower(), type_key(None, ref.name))
        return type_key(ref.namespace, ref.name)

    def model(self, ref: TypeRef | None) -> Model | None:
        """The model (not enum) a reference names, if there is one."""
        if ref is None or ref.kind is not TypeKind.NAMED:
            return None
        return self.models.get(self.key(ref))

    def by_odata_type(self, odata_type: str) -> Model | None:
        """The model an `@odata.type` value names (`#microsoft.graph.x`, or a bare `x`)."""
        name = odata_type.lstrip("#")
        namespace, _, bare = name.rpartition(".")
        return self.model(TypeRef(kind=TypeKind.NAMED, name=bare, namespace=namespace or None))


def chain(model: Model, models: Mapping[str, Model]) -> list[Model]:
    """The model and its bases, the model first; a cycle is cut. `models` is keyed as `Model.base`
    names a base (after `link`: the qualified name, lower-cased)."""
    result, seen = [], set()
    current: Model | None = model
    while current is not None and key_of(current) not in seen:
        seen.add(key_of(current))
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
