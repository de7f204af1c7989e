"""Type cells and property tables -> TypeRef and Field."""

from __future__ import annotations

import posixpath
import re

from docgen.blocks import Inline, Row, Table
from docgen.ir import Field, TypeKind, TypeRef
from docgen.read import PageContext

# lower-cased spelling -> canonical Edm name
PRIMITIVES: dict[str, str] = {
    **dict.fromkeys(["string", "str", "edm.string", "text", "url", "uri"], "String"),
    **dict.fromkeys(
        ["int32", "int", "integer", "edm.int32", "int16", "edm.int16", "byte", "sbyte", "edm.byte"], "Int32"
    ),
    **dict.fromkeys(["int64", "long", "edm.int64", "number"], "Int64"),
    **dict.fromkeys(["boolean", "bool", "edm.boolean"], "Boolean"),
    **dict.fromkeys(["datetimeoffset", "datetime", "edm.datetimeoffset", "timestamp"], "DateTimeOffset"),
    **dict.fromkeys(["date", "edm.date"], "Date"),
    **dict.fromkeys(["timeofday", "time", "edm.timeofday"], "TimeOfDay"),
    **dict.fromkeys(["duration", "timespan", "edm.duration"], "Duration"),
    **dict.fromkeys(["guid", "uuid", "edm.guid"], "Guid"),
    **dict.fromkeys(["double", "float", "decimal", "edm.double", "edm.decimal"], "Double"),
    **dict.fromkeys(["single", "edm.single"], "Single"),
    **dict.fromkeys(["binary", "edm.binary", "base64", "base64binary"], "Binary"),
    **dict.fromkeys(["stream", "edm.stream"], "Stream"),
    **dict.fromkeys(["object", "json", "edm.untyped", "untyped", "any"], "Json"),
}

_COLLECTION_WRAPPER = re.compile(r"^collection\s*\(\s*(.+?)\s*\)$", re.IGNORECASE)
_COLLECTION_WORD = re.compile(r"\s*\bcollection\b(\s+of)?\s*", re.IGNORECASE)
_REFERENCE_LINK = re.compile(r"^\[([^\]]+)\]\s*(\[[^\]]*\])?$")
_NAME = re.compile(r"^[A-Za-z_][\w]*$")
_NAMESPACE_PREFIX = re.compile(r"^(?:#?microsoft\.graph(?:\.[A-Za-z]\w*)*?)\.(?=[A-Za-z_]\w*$)", re.IGNORECASE)


def resolve_link(page_rel: str, href: str) -> str | None:
    """A page link relative to the input folder (posix), or None for external links."""
    href = href.split("#", 1)[0].split("?", 1)[0].strip()
    if not href.lower().endswith(".md") or "://" in href:
        return None
    base = "" if href.startswith("/") else posixpath.dirname(page_rel)
    return posixpath.normpath(posixpath.join(base, href.lstrip("/")))


# A remark after the type: `String (url)`, `string (readonly)`, `String - optional`.
_REMARK = re.compile(r"^(?P<type>.*?\S)\s*(?:\((?P<paren>[^()]*)\)|\s[-\u2013\u2014]\s*(?P<dash>.+))$")
_READ_ONLY = re.compile(r"\bread[- ]?only\b", re.IGNORECASE)


def type_remark(text: str) -> tuple[str, str]:
    """A type cell's text without its remark, and the remark ("" when there is none)."""
    match = _REMARK.match(text.strip())
    if not match or match.group("type").lower().endswith("collection"):
        return text, ""
    return match.group("type"), (match.group("paren") or match.group("dash") or "").strip()


def parse_type(cell: Inline, page_rel: str) -> TypeRef | None:
    """The TypeRef a type cell names, or None when the cell is not a type. A cell that is a type
    followed by a remark (`String (url)`) names that type."""
    found = _parse_type(cell.text, cell, page_rel)
    if found is None and not cell.links:
        text, remark = type_remark(cell.text)
        if remark:
            found = _parse_type(text, cell, page_rel)
    return found


def _parse_type(text: str, cell: Inline, page_rel: str) -> TypeRef | None:
    text = text.strip().strip("`").strip()
    collection = False
    wrapped = _COLLECTION_WRAPPER.match(text)
    if wrapped:
        text, collection = wrapped.group(1), True
    elif _COLLECTION_WORD.search(text):
        text, collection = _COLLECTION_WORD.sub(" ", text).strip(), True
    link = None
    if cell.links:
        text = cell.links[0].text.strip().strip("`") or text
        link = resolve_link(page_rel, cell.links[0].href)
    reference = _REFERENCE_LINK.match(text)
    if reference:
        text = reference.group(1)
    text = text.strip().strip("`").strip()
    namespace = None
    prefix = _NAMESPACE_PREFIX.match(text)
    if prefix:
        namespace = prefix.group(0)[:-1].lstrip("#")
        text = text[prefix.end() :]
    canonical = PRIMITIVES.get(text.lower())
    if canonical and not link:
        return TypeRef(kind=TypeKind.PRIMITIVE, name=canonical, collection=collection, raw=cell.text)
    if _NAME.match(text):
        return TypeRef(
            kind=TypeKind.NAMED, name=text, collection=collection, namespace=namespace, link=link, raw=cell.text
        )
    return None


# Name columns, as ApiDoctor's table specs accept them.
_NAME_HEADERS = (
    "property",
    "property name",
    "name",
    "parameter",
    "parameter name",
    "relationship",
    "relationship name",
    "navigation property",
    "member",
    "member name",
    "field",
    "field name",
)
_TYPE_HEADERS = ("type", "data type", "property type", "value type")


def column(header: tuple[Inline, ...], *names: str) -> int | None:
    lowered = [" ".join(cell.text.lower().split()) for cell in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def name_column(table: Table) -> int | None:
    return column(table.header, *_NAME_HEADERS)


_EMPTY = Inline(text="")


def cell(row: Row, at: int | None) -> Inline:
    """The row's cell in column `at`; an empty one when the column is missing or the row short."""
    return row.cells[at] if at is not None and at < len(row.cells) else _EMPTY


_INVISIBLE = str.maketrans({"\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00a0": " "})


def clean_name(text: str) -> str:
    """A property name as written in a name cell: `**id**`, `id (required)` -> id. Zero-width
    characters are dropped and NBSP is a space."""
    name = text.translate(_INVISIBLE).strip().strip("`* ").strip()
    return name.split()[0] if name else ""


def type_column(table: Table) -> int | None:
    return column(table.header, *_TYPE_HEADERS)


def is_property_table(table: Table) -> bool:
    return name_column(table) is not None and type_column(table) is not None


def is_group_label(row: Row) -> bool:
    """A row that only labels the rows below it: one bold cell (`|**Embedded SIM**|`)."""
    written = [c for c in row.cells if c.text]
    if len(written) != 1 or written[0] is not row.cells[0]:
        return False
    raw = row.cells[0].raw.strip()
    return len(raw) > 4 and raw[:2] in ("**", "__") and raw[-2:] == raw[:2]


_INHERITED = re.compile(r"\binherited from\b", re.IGNORECASE)


def extract_fields(ctx: PageContext, table: Table, relationship: bool = False) -> tuple[Field, ...]:
    """Fields of a property table; odd rows are reported and skipped, never raised."""
    name_at = name_column(table)
    type_at = type_column(table)
    desc_at = column(table.header, "description", "notes", "value")
    if name_at is None or type_at is None:
        return ()
    fields: list[Field] = []
    seen: set[str] = set()
    for row in table.rows:
        if is_group_label(row):
            continue
        check_row_width(ctx, table, row)
        name = clean_name(cell(row, name_at).text)
        if not name or not any(ch.isalnum() or ch == "_" for ch in name):
            if any(item.text for item in row.cells):
                ctx.report("DG122", row.line, "table row has no property name")
            continue
        if name in seen:
            ctx.report("DG121", row.line, f"property {name!r} is listed twice; the first row is kept")
            continue
        seen.add(name)
        type_cell = cell(row, type_at)
        type_ref = parse_type(type_cell, ctx.rel)
        if type_ref is None:
            ctx.report("DG201", row.line, f"cannot read the type {type_cell.text[:60]!r} of property {name!r}")
            type_ref = TypeRef(kind=TypeKind.ANY, name="", raw=type_cell.text)
        description = cell(row, desc_at)
        read_only = bool(_READ_ONLY.search(type_remark(type_cell.text)[1]) or _READ_ONLY.search(description.text))
        inherited = None
        if _INHERITED.search(description.text) and description.links:
            inherited = description.links[-1].text.strip("`") or None
        fields.append(
            Field(
                name=name,
                type=type_ref,
                description=description.text,
                inherited_from=inherited,
                relationship=relationship,
                read_only=read_only,
                span=ctx.span(row.line),
            )
        )
    return tuple(fields)


def check_row_width(ctx: PageContext, table: Table, row: Row) -> None:
    if row.raw_cells != len(table.header):
        ctx.report("DG120", row.line, f"table row has {row.raw_cells} cells, its header has {len(table.header)}")
