"""Names and files for models and enums."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docgen import naming
from docgen.ir import ApiSpec, Enum, Field, Model, ModelOrigin, TypeKind, TypeRef
from docgen.plan.layout import Layout, PlannedFile
from docgen.render import LINE_LENGTH, Code, comment, fit, py

_PRIMITIVE_ANNOTATIONS = {
    "String": "str",
    "Int32": "int",
    "Int64": "int",
    "Boolean": "bool",
    "Double": "_rt.Double",
    "Single": "_rt.Double",
    "DateTimeOffset": "_rt.DateTimeOffset",
    "Date": "_rt.Date",
    "TimeOfDay": "_rt.TimeOfDay",
    "Duration": "_rt.Duration",
    "Guid": "str",
    "Binary": "str",
    "Stream": "str",
    "Json": "_t.Any",
}


@dataclass(slots=True)
class Names:
    """Class and module name of every model and enum of one API version, keyed by the
    lower-cased documented name (links resolve case-insensitively)."""

    models: dict[str, Model] = field(default_factory=dict)
    classes: dict[str, Code] = field(default_factory=dict)
    modules: dict[str, Code] = field(default_factory=dict)
    enums: set[str] = field(default_factory=set)
    placeholders: set[str] = field(default_factory=set)

    def model_key(self, ref: TypeRef | None) -> str | None:
        """The key of the model (not enum) a reference names, if generated."""
        if ref is None or ref.kind is not TypeKind.NAMED:
            return None
        key = ref.name.lower()
        return key if key in self.classes and key not in self.enums else None

    def annotation(self, ref: TypeRef) -> tuple[Code, str | None]:
        """(annotation, the key of the type it needs imported, if any)."""
        needed = None
        if ref.kind is TypeKind.PRIMITIVE:
            inner = _PRIMITIVE_ANNOTATIONS[ref.name]
        elif ref.kind is TypeKind.NAMED and ref.name.lower() in self.classes:
            needed = ref.name.lower()
            inner = self.classes[needed]
            if needed in self.placeholders:
                # Nobody documents this type: it may be an object, an enum string or anything.
                # Tried left to right, so that an object still becomes the placeholder model.
                inner = f"_rt.Lenient[{inner}]"
        else:
            inner = "_t.Any"
        return Code(f"list[{inner}]" if ref.collection else inner), needed


def collect_names(spec: ApiSpec) -> Names:
    names = Names(models={m.name.lower(): m for m in spec.models})
    documented = [m.name for m in spec.models] + [e.name for e in spec.enums]
    classes = naming.unique([naming.class_name(n) for n in documented])
    modules = naming.unique([naming.module_name(n) for n in documented])
    for name, cls, module in zip(documented, classes, modules):
        names.classes[name.lower()] = cls
        names.modules[name.lower()] = module
    names.enums = {e.name.lower() for e in spec.enums}
    names.placeholders = {m.name.lower() for m in spec.models if m.origin is ModelOrigin.PLACEHOLDER}
    return names


ODATA_TYPE = "@odata.type"  # GraphModel's own field: a documented `@odata.type` row adds nothing


def _chain(model: Model, models: dict[str, Model]) -> list[Model]:
    """The model and its bases, the model first; a cycle is cut."""
    chain, seen = [], set()
    current: Model | None = model
    while current is not None and current.name.lower() not in seen:
        seen.add(current.name.lower())
        chain.append(current)
        current = models.get(current.base.lower()) if current.base else None
    return chain


def all_fields(model: Model, models: dict[str, Model]) -> list[Field]:
    """Fields of the base chain (outermost first), then the model's own; a cycle is cut."""
    result: dict[str, Field] = {}
    for item in reversed(_chain(model, models)):
        for f in item.fields:
            if f.name != ODATA_TYPE:
                result.setdefault(f.name, f)
    return list(result.values())


def field_attributes(model: Model, models: dict[str, Model]) -> dict[str, Code]:
    """wire name -> Python attribute for every field of the model, inherited ones included.
    Each class of the base chain names its own new fields (naming.field_attributes: unique,
    and never another field's wire name), so a base's attributes are the same seen from any
    subclass."""
    attributes: dict[str, Code] = {}
    for item in reversed(_chain(model, models)):
        new = [f.name for f in item.fields if f.name != ODATA_TYPE and f.name not in attributes]
        names = naming.field_attributes(new, taken=attributes.values(), other_wires=attributes)
        attributes.update(zip(new, names))
    return attributes


def model_file(model: Model, names: Names, layout: Layout) -> PlannedFile:
    key = model.name.lower()
    models = names.models
    attributes = field_attributes(model, models)
    base = models.get(model.base.lower()) if model.base else None
    if base is not None and _has_cycle(model, models):
        base = None
    inherited = set(field_attributes(base, models)) if base else set()
    imports: dict[str, Code] = {}
    fields = []
    for f in all_fields(model, models):
        # Inherited annotations are resolved in this module too: import their types here.
        needed = names.annotation(f.type)[1]
        if needed and needed != key:
            imports[names.modules[needed]] = names.classes[needed]
    for f in model.fields:
        if f.name in inherited or f.name not in attributes:
            continue
        annotation = names.annotation(f.type)[0]
        fields.append(
            {
                "declaration": _declaration(attributes[f.name], annotation, f.name),
                "description": f.description,
                "source": comment(str(f.span)),
            }
        )
    context = {
        "root": layout.root_from_models,
        "class_name": names.classes[key],
        "class_line": class_line(
            names.classes[key], names.classes[base.name.lower()] if base else Code("_rt.GraphModel")
        ),
        "base": (
            {"class_name": names.classes[base.name.lower()], "module": names.modules[base.name.lower()]}
            if base
            else None
        ),
        "description": model.description or f"The {model.name} type.",
        "odata_type": py(model.odata_type),
        "placeholder": model.origin is ModelOrigin.PLACEHOLDER,
        "fields": fields,
        "imports": [{"module": m, "class_name": c} for m, c in sorted(imports.items()) if c != names.classes[key]],
        "source": comment(str(model.span)),
    }
    return PlannedFile(f"{layout.folder}/models/{names.modules[key]}.py", "model.py.j2", context, (model.span.path,))


def class_line(name: str, base: str) -> Code:
    """`class Name(Base):`, split as black splits it when too long."""
    return fit(f"class {name}(", [base], "):", 0)


def _declaration(attribute: str, annotation: str, wire: str) -> Code:
    """`attribute: annotation | None = Field(...)` as black lays it out in a class body: split
    inside Field( when the line up to it fits, else the value in parentheses, else the
    annotation in parentheses."""
    head = f"{attribute}: {annotation} | None = "
    arguments = ["default=None", f"alias={py(wire)}"]
    if 4 + len(head) + len("Field(") <= LINE_LENGTH:
        return Code(head + fit("Field(", arguments, ")", 4, len(head)))
    if 4 + len(head) + 1 <= LINE_LENGTH:
        return Code(f"{head}(\n        {fit('Field(', arguments, ')', 8)}\n    )")
    union = (
        f"{annotation} | None" if 8 + len(f"{annotation} | None") <= LINE_LENGTH else f"{annotation}\n        | None"
    )
    return Code(f"{attribute}: (\n        {union}\n    ) = " + fit("Field(", arguments, ")", 4, len(") = ")))


def _has_cycle(model: Model, models: dict[str, Model]) -> bool:
    seen = {model.name.lower()}
    current = models.get(model.base.lower()) if model.base else None
    while current is not None:
        if current.name.lower() in seen:
            return True
        seen.add(current.name.lower())
        current = models.get(current.base.lower()) if current.base else None
    return False


def enum_file(enum: Enum, names: Names, layout: Layout) -> PlannedFile:
    key = enum.name.lower()
    attributes = naming.enum_members([m.name for m in enum.members])
    members = [
        {"attribute": attribute, "value": py(member.name), "description": member.description}
        for attribute, member in zip(attributes, enum.members)
    ]
    context = {
        "root": layout.root_from_models,
        "class_name": names.classes[key],
        "class_line": class_line(names.classes[key], Code("_rt.OpenEnum")),
        "description": enum.description or f"The {enum.name} enumeration.",
        "members": members,
        "source": comment(str(enum.span)),
    }
    return PlannedFile(f"{layout.folder}/models/{names.modules[key]}.py", "enum.py.j2", context, (enum.span.path,))


def models_init(spec: ApiSpec, names: Names, layout: Layout, sources: tuple[str, ...]) -> PlannedFile:
    exports = sorted(
        ({"class_name": names.classes[k], "module": names.modules[k]} for k in names.classes),
        key=lambda e: str(e["class_name"]),
    )
    registry = [
        {
            "odata_type": py(m.odata_type),
            "location": py(f"{layout.dotted}.models.{names.modules[m.name.lower()]}:{names.classes[m.name.lower()]}"),
        }
        for m in spec.models
    ]
    context: dict[str, Any] = {"root": layout.root_from_models, "exports": exports, "registry": registry}
    return PlannedFile(f"{layout.folder}/models/__init__.py", "models_init.py.j2", context, sources)
