"""The two places lint (and export) touch the IR's page -> operation shape and a model's
identity (a type is known by its namespace and name: `link.key_of`, `TypeIndex.key`)."""

from __future__ import annotations

from collections.abc import Mapping

from docgen.ir import Model, Operation, Page, TypeRef
from docgen.link import TypeIndex, chain, key_of

__all__ = ["derived_types", "key_of", "model_of", "operations"]


def operations(page: Page) -> tuple[Operation, ...]:
    """The operations a page documents."""
    return page.operations


def model_of(index: TypeIndex, ref: TypeRef | None) -> Model | None:
    """The model (not enum) a type reference names."""
    return index.model(ref)


def derived_types(models: Mapping[str, Model]) -> dict[str, tuple[Model, ...]]:
    """Per model key, the models derived from it (at any depth), sorted by key."""
    found: dict[str, dict[str, Model]] = {}
    for model in models.values():
        for ancestor in chain(model, models)[1:]:
            found.setdefault(key_of(ancestor), {})[key_of(model)] = model
    return {key: tuple(v for _, v in sorted(found_.items())) for key, found_ in found.items()}
