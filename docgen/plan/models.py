"""Model and enum files, and the models package that lists them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from docgen import naming
from docgen.escape import Code, comment, py
from docgen.ir import ApiSpec, Enum, Field, Model, ModelOrigin
from docgen.link import all_fields, chain
from docgen.plan.files import FROZEN, FilePlan, PlannedFile
from docgen.plan.names import Names, Origin, TypeExpr
from docgen.plan.placement import Placement


@dataclass(**FROZEN)
class ImportPlan:
    """`from .<module> import <class_name>` (relative to wherever the template imports from)."""

    module: Code
    class_name: Code


@dataclass(**FROZEN)
class FieldPlan:
    attribute: Code
    annotation: TypeExpr
    wire: str  # the documented name, printed only through `py`
    description: str  # printed only through `doc`
    source: Code


@dataclass(**FROZEN)
class ModelPlan(FilePlan):
    template: ClassVar[str] = "model.py.j2"
    root: Code
    class_name: Code
    base: ImportPlan | None
    description: str
    odata_type: Code
    placeholder: bool  # no page defines the type
    open_type: bool  # instances may hold properties the docs do not list (placeholders too)
    fields: tuple[FieldPlan, ...]
    read_only: tuple[Code, ...]  # wire names (literals) of its own fields documented read-only
    imports: tuple[ImportPlan, ...]
    inherited_only: tuple[Code, ...]  # imported classes only inherited annotations name (for pydantic)
    source: Code

    @property
    def uses_runtime(self) -> bool:
        """Whether the module names the runtime: its base class, a wire type or `_rt.alias`."""
        return self.base is None or any(
            f.annotation.mentions(Origin.RUNTIME) or f.wire != f.attribute for f in self.fields
        )


@dataclass(**FROZEN)
class EnumMemberPlan:
    attribute: Code
    value: Code
    description: str


@dataclass(**FROZEN)
class EnumPlan(FilePlan):
    template: ClassVar[str] = "enum.py.j2"
    root: Code
    class_name: Code
    description: str
    members: tuple[EnumMemberPlan, ...]
    source: Code


@dataclass(**FROZEN)
class RegistryEntry:
    odata_type: Code
    location: Code  # "package.models.module:ClassName", a literal


@dataclass(**FROZEN)
class ModelsInitPlan(FilePlan):
    template: ClassVar[str] = "models_init.py.j2"
    root: Code
    exports: tuple[ImportPlan, ...]
    registry: tuple[RegistryEntry, ...]


_READ_ONLY = re.compile(r"\bread-?only\b", re.IGNORECASE)


def is_read_only(field: Field) -> bool:
    """A property the docs call read-only: the IR's flag when extraction sets one, else the
    description's own words ("Read-only. Nullable.")."""
    flag = getattr(field, "read_only", None)
    return bool(flag) if isinstance(flag, bool) else bool(_READ_ONLY.search(field.description))


def model_file(model: Model, names: Names, placement: Placement) -> PlannedFile:
    key = names.key(model)
    models = names.index.models
    attributes = naming.model_attributes(model, models)
    base = models.get(model.base.lower()) if model.base else None
    if base is not None and _has_cycle(model, models):
        base = None
    inherited = set(naming.model_attributes(base, models)) if base else set()
    imports: dict[str, Code] = {}
    for f in all_fields(model, models):
        # Inherited annotations are resolved in this module too: import their types here.
        needed = names.annotation(f.type)[1]
        if needed and needed != key:
            imports[names.modules[needed]] = names.classes[needed]
    fields = tuple(
        FieldPlan(
            attribute=attributes[f.name],
            annotation=names.annotation(f.type)[0],
            wire=f.name,
            description=f.description,
            source=comment(str(f.span)),
        )
        for f in model.fields
        if f.name not in inherited and f.name in attributes
    )
    # the classes this module names itself (its base, its own fields' types); pydantic resolves
    # inherited annotations here too, so their classes are imported though the module names none
    named = {names.classes[names.key(base)]} if base else set()
    for f in model.fields:
        needed = names.annotation(f.type)[1]
        if needed and f.name not in inherited and f.name in attributes:
            named.add(names.classes[needed])
    plan = ModelPlan(
        root=placement.root_from_models,
        class_name=names.classes[key],
        base=_import(names.key(base), names) if base else None,
        description=model.description or f"The {model.name} type.",
        odata_type=py(model.odata_type),
        placeholder=model.origin is ModelOrigin.PLACEHOLDER,
        open_type=model.open_type or model.origin is ModelOrigin.PLACEHOLDER,
        fields=fields,
        read_only=tuple(
            py(f.name) for f in model.fields if f.name not in inherited and f.name in attributes and is_read_only(f)
        ),
        imports=tuple(
            ImportPlan(module=m, class_name=c) for m, c in sorted(imports.items()) if c != names.classes[key]
        ),
        inherited_only=tuple(sorted(set(imports.values()) - named - {names.classes[key]})),
        source=comment(str(model.span)),
    )
    # a model merged from several pages is made from each of them
    sources = tuple(dict.fromkeys([model.span.path, *sorted({f.span.path for f in model.fields} - {model.span.path})]))
    return PlannedFile(f"{placement.folder}/models/{names.modules[key]}.py", plan, sources)


def _import(key: str, names: Names) -> ImportPlan:
    return ImportPlan(module=names.modules[key], class_name=names.classes[key])


def _has_cycle(model: Model, models: dict[str, Model]) -> bool:
    last = chain(model, models)[-1]
    return bool(last.base) and last.base.lower() in models


def enum_file(enum: Enum, names: Names, placement: Placement) -> PlannedFile:
    key = names.key(enum)
    attributes = naming.enum_members([m.name for m in enum.members])
    plan = EnumPlan(
        root=placement.root_from_models,
        class_name=names.classes[key],
        description=enum.description or f"The {enum.name} enumeration.",
        members=tuple(
            EnumMemberPlan(attribute=attribute, value=py(member.name), description=member.description)
            for attribute, member in zip(attributes, enum.members)
        ),
        source=comment(str(enum.span)),
    )
    return PlannedFile(f"{placement.folder}/models/{names.modules[key]}.py", plan, (enum.span.path,))


def models_init(spec: ApiSpec, names: Names, placement: Placement, sources: tuple[str, ...]) -> PlannedFile:
    plan = ModelsInitPlan(
        root=placement.root_from_models,
        exports=tuple(sorted((_import(k, names) for k in names.classes), key=lambda e: str(e.class_name))),
        registry=tuple(
            RegistryEntry(
                odata_type=py(m.odata_type),
                location=py(f"{placement.dotted}.models.{names.modules[names.key(m)]}:{names.classes[names.key(m)]}"),
            )
            for m in spec.models
        ),
    )
    return PlannedFile(f"{placement.folder}/models/__init__.py", plan, sources)
