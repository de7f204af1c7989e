"""The two places lint (and export) touch the IR's page -> operation shape and a model's
identity. Issue 11 changes both (`Page.operations`, types known by namespace + name): adapt
these functions, nothing else."""

from __future__ import annotations

from collections.abc import Mapping

from docgen.ir import Model, Operation, Page, TypeRef
from docgen.link import TypeIndex, chain


def operations(page: Page) -> tuple[Operation, ...]:
    """The operations a page documents."""
    return (page.operation,) if page.operation is not None else ()


def model_key(name: str) -> str:
    """The key a type is known by in one API version (`TypeIndex.models`, `Names`)."""
    return name.lower()


def model_named(index: TypeIndex, name: str) -> Model | None:
    """The model a documented name (`user`, `microsoft.graph.user`, `#microsoft.graph.user`) names."""
    return index.models.get(model_key(name.lstrip("#").rsplit(".", 1)[-1]))


def model_of(index: TypeIndex, ref: TypeRef | None) -> Model | None:
    """The model (not enum) a type reference names."""
    return index.model(ref)


def derived_types(models: Mapping[str, Model]) -> dict[str, tuple[Model, ...]]:
    """Per model key, the models derived from it (at any depth), sorted by key."""
    found: dict[str, dict[str, Model]] = {}
    for model in models.values():
        for ancestor in chain(model, models)[1:]:
            found.setdefault(model_key(ancestor.name), {})[model_key(model.name)] = model
    return {key: tuple(v for _, v in sorted(found_.items())) for key, found_ in found.items()}
