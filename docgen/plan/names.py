"""Class and module names of one API version's types, and the annotation each type gets."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from docgen import naming
from docgen.escape import Code
from docgen.ir import ApiSpec, Enum, Model, TypeKind, TypeRef
from docgen.link import TypeIndex, key_of


class Origin(StrEnum):
    """Where an annotation's name comes from; templates print each with its import alias."""

    BUILTIN = "builtin"  # str, int, list, ... and generated classes
    RUNTIME = "runtime"  # the generated package's _runtime module
    TYPING = "typing"
    UNION = "union"  # args joined by |


@dataclass(frozen=True, slots=True)
class TypeExpr:
    """An annotation as data: `list[_rt.Lenient[Foo]]` is list(Lenient(Foo))."""

    origin: Origin
    name: str = ""
    args: tuple[TypeExpr, ...] = ()

    def mentions(self, origin: Origin) -> bool:
        """Whether the annotation names anything from `origin` (its module is then needed)."""
        return self.origin is origin or any(arg.mentions(origin) for arg in self.args)


def builtin(name: str, *args: TypeExpr) -> TypeExpr:
    return TypeExpr(Origin.BUILTIN, name, args)


def runtime(name: str, *args: TypeExpr) -> TypeExpr:
    return TypeExpr(Origin.RUNTIME, name, args)


def typing(name: str, *args: TypeExpr) -> TypeExpr:
    return TypeExpr(Origin.TYPING, name, args)


def union(*args: TypeExpr) -> TypeExpr:
    return TypeExpr(Origin.UNION, "", args)


_PRIMITIVES = {
    "String": builtin("str"),
    "Int32": builtin("int"),
    "Int64": builtin("int"),
    "Boolean": builtin("bool"),
    "Double": runtime("Double"),
    "Single": runtime("Double"),
    "DateTimeOffset": runtime("DateTimeOffset"),
    "Date": runtime("Date"),
    "TimeOfDay": runtime("TimeOfDay"),
    "Duration": runtime("Duration"),
    "Guid": builtin("str"),
    "Binary": builtin("str"),
    "Stream": builtin("str"),
    "Json": typing("Any"),
}


@dataclass(frozen=True, slots=True)
class Names:
    """Class and module name of every model and enum of one API version, keyed by the type's key
    (`link.type_key`: namespace and name), built complete by `of`. Types of one name in several
    namespaces: the first in spec order (the default namespace's, when it has one) keeps the
    plain name, each other is qualified by its namespace's last segment (`CallRecordsMediaStream`)."""

    index: TypeIndex
    classes: dict[str, Code]
    modules: dict[str, Code]

    @classmethod
    def of(cls, spec: ApiSpec, index: TypeIndex) -> Names:
        types = [*spec.models, *spec.enums]
        first: dict[str, str] = {}
        for item in types:
            first.setdefault(item.name.lower(), key_of(item))
        documented = [
            (
                item.name
                if first[item.name.lower()] == key_of(item)
                else f"{item.namespace.rsplit('.', 1)[-1]}_{item.name}"
            )
            for item in types
        ]
        classes = naming.unique([naming.class_name(n) for n in documented])
        modules = naming.unique([naming.module_name(n) for n in documented])
        keys = [key_of(item) for item in types]
        return cls(index=index, classes=dict(zip(keys, classes)), modules=dict(zip(keys, modules)))

    def key(self, item: Model | Enum) -> str:
        return key_of(item)

    def model_key(self, ref: TypeRef | None) -> str | None:
        """The key of the model (not enum) a reference names, if generated."""
        model = self.index.model(ref)
        return key_of(model) if model is not None else None

    def annotation(self, ref: TypeRef) -> tuple[TypeExpr, str | None]:
        """(annotation, the key of the type it needs imported, if any)."""
        needed = None
        if ref.kind is TypeKind.PRIMITIVE:
            inner = _PRIMITIVES[ref.name]
        elif ref.kind is TypeKind.NAMED and self.index.key(ref) in self.classes:
            needed = self.index.key(ref)
            inner = builtin(self.classes[needed])
            if needed in self.index.placeholders:
                # Nobody documents this type: it may be an object, an enum string or anything.
                # Tried left to right, so that an object still becomes the placeholder model.
                inner = runtime("Lenient", inner)
        else:
            inner = typing("Any")
        return (builtin("list", inner) if ref.collection else inner), needed
