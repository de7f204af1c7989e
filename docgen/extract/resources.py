"""Resource, complex-type and enum pages -> Model and Enum."""

from __future__ import annotations

import re
from typing import Any

from docgen.blocks import Fence, Link, Paragraph, Table
from docgen.extract.sections import Concept, Placed
from docgen.extract.types import (
    cell,
    check_row_width,
    clean_name,
    column,
    extract_fields,
    is_property_table,
    name_column,
)
from docgen.ir import BaseSource, Enum, EnumMember, Field, Model, ModelOrigin
from docgen.read import PageContext

_TITLE = re.compile(
    r"^\s*(\S+?)\s+(resource type|complex type|entity type|resource|object|type|enum type|enumeration|enum)\b",
    re.IGNORECASE,
)


def type_name_from_title(title: str) -> str | None:
    match = _TITLE.match(title)
    if match and re.match(r"^[A-Za-z_][\w.]*$", match.group(1)):
        return match.group(1).rsplit(".", 1)[-1]
    return None


_PROSE_BASE = re.compile(
    r"\b(?:inherits|derives|is derived|derived) from\s+(?:the\s+)?`?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)`?", re.IGNORECASE
)
_TYPE_NAME = re.compile(r"^[A-Za-z_]\w*$")


def extract_model(
    ctx: PageContext,
    name: str | None,
    namespace: str,
    placed: list[Placed],
    annotations: dict[int, tuple[tuple[str, Any], ...]],
    description: str,
    line: int,
) -> Model | None:
    """The page's type. Its name is the one the H1 gives (`name`, spelt as the annotation's
    `@odata.type` spells it when they differ only in case), else the annotation's, else the
    file's name. Its base:
    the annotation's `baseType`, else the prose ("Inherits from [x]", "Derived from [x]"), else
    the `Inherited from [x]` notes (which `link` may narrow to the nearest ancestor)."""
    fields: list[Field] = []
    seen: set[str] = set()
    resource: dict[str, Any] = {}
    prose_base: Link | None = None
    for item in placed:
        block = item.block
        if isinstance(block, Table) and item.inner in (Concept.PROPERTIES, Concept.RELATIONSHIPS):
            if not is_property_table(block):
                continue
            relationship = item.inner is Concept.RELATIONSHIPS
            for field in extract_fields(ctx, block, relationship=relationship):
                if field.name in seen:
                    ctx.report(
                        "DG121", field.span.line, f"property {field.name!r} is listed twice; the first row is kept"
                    )
                    continue
                seen.add(field.name)
                fields.append(field)
        elif isinstance(block, Fence) and item.outer is Concept.JSON_REPRESENTATION and not resource:
            resource = dict(annotations.get(block.line, ()))
        elif isinstance(block, Paragraph) and prose_base is None and item.outer in (None, Concept.PROPERTIES):
            prose_base = _prose_base(block)
    if not fields and not resource:
        return None
    odata = str(resource.get("@odata.type") or "").lstrip("#")
    odata_namespace, _, odata_name = odata.rpartition(".")
    if odata.count(".") >= 2:
        namespace = odata_namespace
    if name and odata_name.lower() == name.lower():
        name = odata_name  # the annotation spells the type as the service does (`driveItemVersion`)
    elif not name:
        stem = ctx.rel.rsplit("/", 1)[-1].removesuffix(".md")
        name = odata_name if _TYPE_NAME.match(odata_name) else stem if _TYPE_NAME.match(stem) else None
    if not name:
        return None
    base = resource.get("baseType")
    source = BaseSource.ANNOTATION if base else None
    if not base and prose_base is not None:
        base, source = prose_base.text, BaseSource.PROSE
    elif base is None and "baseType" not in resource:
        # No annotation: the type that the "Inherited from [x]" notes name is the base.
        inherited = [f.inherited_from for f in fields if f.inherited_from and f.inherited_from.lower() != name.lower()]
        base = max(sorted(set(inherited)), key=inherited.count) if inherited else None
        source = BaseSource.NOTES if base else None
    base_namespace, _, base_name = str(base).strip("`").lstrip("#").rpartition(".") if base else ("", "", "")
    return Model(
        name=name,
        namespace=namespace,
        origin=ModelOrigin.RESOURCE,
        fields=tuple(fields),
        base=base_name or None,
        base_namespace=base_namespace or None,
        base_source=source if base_name else None,
        description=description,
        abstract=_truthy(resource.get("abstract")),
        open_type=_truthy(resource.get("openType")),
        key_property=str(resource["keyProperty"]) if resource.get("keyProperty") else None,
        span=ctx.span(line),
    )


def _prose_base(paragraph: Paragraph) -> Link | None:
    """The type that "Inherits from [x]" or "Derived from [x]" links, if the paragraph says so."""
    inline = paragraph.inline
    if not inline.links:
        return None
    match = _PROSE_BASE.search(inline.text)
    if not match:
        return None
    named = match.group(1).rsplit(".", 1)[-1].lower()
    return next((link for link in inline.links if link.text.strip("`").rsplit(".", 1)[-1].lower() == named), None)


def _truthy(value: Any) -> bool:
    return str(value).lower() == "true"


# `### widgetStatus values` names its enum; `## Enumeration values` and `## Enum members` do not.
_VALUES_HEADING = re.compile(
    r"^\s*`?(?!(?:enum|enumeration)`?\s)([A-Za-z_]\w*)`?\s+(values|members)\s*$", re.IGNORECASE
)


def extract_enums(ctx: PageContext, page_name: str | None, namespace: str, placed: list[Placed]) -> tuple[Enum, ...]:
    """Enums from `## Members` tables (named after the page) and `### x values` tables."""
    enums: list[Enum] = []
    for item in placed:
        table = item.block
        if not isinstance(table, Table) or item.inner is not Concept.MEMBERS or is_property_table(table):
            continue
        heading = _VALUES_HEADING.match(item.heading)
        name = heading.group(1) if heading else page_name
        member_at = column(table.header, "member", "value", "name", "members")
        if member_at is None:
            member_at = name_column(table) if name_column(table) is not None else 0
        desc_at = column(table.header, "description")
        members: list[EnumMember] = []
        seen: set[str] = set()
        for row in table.rows:
            check_row_width(ctx, table, row)
            member = clean_name(cell(row, member_at).text)
            if not member:
                continue
            if member in seen:
                ctx.report("DG121", row.line, f"enum member {member!r} is listed twice")
                continue
            seen.add(member)
            text = cell(row, desc_at).text
            members.append(EnumMember(name=member, description=text, span=ctx.span(row.line)))
        if name and members:
            enums.append(Enum(name=name, namespace=namespace, members=tuple(members), span=ctx.span(table.line)))
    return tuple(enums)
