"""Stage 2: page text -> a flat list of blocks (headings, tables, fences, comments,
paragraphs), each with its 1-based line, from markdown-it-py's token stream.

Front matter is read here too, line by line (one real page's front matter is not valid YAML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from docgen.read import PageContext

FRONT_MATTER_FENCE = "---"
COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
TAB_MARKER = re.compile(r"^\[[^\]]*\]\(#tab/[^)]*\)$")


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True, slots=True)
class Inline:
    """Inline content reduced to what extraction needs: plain text and the links in it."""

    text: str
    links: tuple[Link, ...] = ()
    raw: str = ""


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph's raw text; its inline content is parsed only when a stage asks for it
    (most paragraphs are prose that nothing reads, and inline parsing is half of the cost)."""

    raw: str
    line: int
    references: tuple[tuple[str, str, str], ...] = ()  # the page's [label]: href "title" definitions

    @property
    def inline(self) -> Inline:
        return _paragraph_inline(self.raw, self.references)


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Inline, ...]
    line: int
    raw_cells: int  # cells written on the source line, before markdown-it padded or cut the row


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[Row, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Fence:
    info: str
    content: str
    line: int  # the opening ``` line
    closed: bool


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    line: int
    closed: bool


Block = Heading | Paragraph | Table | Fence | Comment


@dataclass(frozen=True, slots=True)
class Document:
    front_matter: dict[str, str] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()
    line_count: int = 0


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """Block structure only: inline content is parsed on demand by `_inline_parser`."""
    return MarkdownIt("commonmark").enable("table").disable("inline")


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _parse_inline(content: str, env: dict) -> Token:
    return _inline_parser().parseInline(content, env)[0]


@lru_cache(maxsize=4096)
def _paragraph_inline(raw: str, references: tuple[tuple[str, str, str], ...]) -> Inline:
    env = {"references": {label: {"href": href, "title": title} for label, href, title in references}}
    return _inline(_parse_inline(raw, env))


def parse_document(ctx: PageContext, text: str) -> Document:
    lines = text.split("\n")
    front, body_start = _front_matter(ctx, lines)
    # Blank the front matter instead of cutting it, so markdown-it's line numbers stay true.
    body = "\n" * body_start + "\n".join(lines[body_start:])
    env: dict = {}
    tokens = _parser().parse(body, env)
    blocks = tuple(_blocks(ctx, tokens, lines, env))
    return Document(front_matter=front, blocks=blocks, line_count=len(lines))


def _front_matter(ctx: PageContext, lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return {}, 0
    values: dict[str, str] = {}
    for index in range(1, len(lines)):
        line = lines[index]
        if line.strip() == FRONT_MATTER_FENCE:
            return values, index + 1
        if not line.strip() or line.startswith((" ", "\t", "#")):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            ctx.report("DG101", index + 1, f"front matter line is not `key: value`: {line.strip()[:60]!r}")
            continue
        values.setdefault(key.strip(), _unquote(value.strip()))
    ctx.report("DG101", 1, "the front matter is not closed by a `---` line")
    return {}, 0


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _blocks(ctx: PageContext, tokens: list[Token], lines: list[str], env: dict):
    references = tuple(
        sorted(
            (label, str(ref.get("href", "")), str(ref.get("title", "")))
            for label, ref in env.get("references", {}).items()
        )
    )
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = token.map[0] + 1 if token.map else 1
        if token.type == "heading_open":
            inline = _inline(_parse_inline(tokens[index + 1].content, env))
            # `# [HTTP](#tab/http)` is a tab marker of the docs site, not a heading.
            if not TAB_MARKER.match(inline.raw.strip()):
                yield Heading(level=int(token.tag[1]), text=inline.text, line=line)
            index += 3
            continue
        if token.type == "paragraph_open":
            yield Paragraph(raw=tokens[index + 1].content, line=line, references=references)
            index += 3
            continue
        if token.type == "table_open":
            end = index
            while tokens[end].type != "table_close":
                end += 1
            yield _table(tokens[index:end], lines, line, env)
            index = end + 1
            continue
        if token.type in ("fence", "code_block"):
            closed = _fence_closed(token, lines)
            if not closed:
                ctx.report("DG110", line, "this code fence is never closed")
            info = token.info.strip() if token.type == "fence" else ""
            yield Fence(info=info, content=token.content, line=line, closed=closed)
        elif token.type == "html_block":
            yield from _comments(ctx, token.content, line)
        index += 1


def _fence_closed(token: Token, lines: list[str]) -> bool:
    if token.type != "fence" or not token.map:
        return True
    last = token.map[1] - 1
    if last <= token.map[0] or last >= len(lines):
        return False
    closing = lines[last].strip()
    return closing.startswith(token.markup[0] * len(token.markup)) and not closing.strip(token.markup[0])


def _comments(ctx: PageContext, html: str, line: int):
    # Scanned with find, not a regex: `<!--` repeated without a `-->` must stay linear.
    position = 0
    while (start := html.find("<!--", position)) != -1:
        end = html.find("-->", start + 4)
        at = line + html.count("\n", 0, start)
        if end == -1:
            ctx.report("DG111", at, "this HTML comment is never closed")
            yield Comment(text=html[start + 4 :], line=at, closed=False)
            return
        yield Comment(text=html[start + 4 : end], line=at, closed=True)
        position = end + 3


def _inline(token: Token) -> Inline:
    parts: list[str] = []
    links: list[Link] = []
    link_start: list[tuple[int, str]] = []
    for child in token.children or ():
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "html_inline" and child.content.lower().startswith("<br"):
            parts.append(" ")
        elif kind == "link_open":
            link_start.append((len(parts), str(child.attrs.get("href", ""))))
        elif kind == "link_close" and link_start:
            start, href = link_start.pop()
            links.append(Link(text="".join(parts[start:]).strip(), href=href))
    text = " ".join("".join(parts).split())
    return Inline(text=text, links=tuple(links), raw=token.content)


def _table(tokens: list[Token], lines: list[str], line: int, env: dict) -> Table:
    header: tuple[Inline, ...] = ()
    rows: list[Row] = []
    cells: list[Inline] = []
    row_line = line
    edged = False
    for token in tokens:
        if token.type == "tr_open":
            cells = []
            row_line = token.map[0] + 1 if token.map else row_line
        elif token.type == "inline":
            cells.append(_inline(_parse_inline(token.content, env)))
        elif token.type == "tr_close":
            if not header:
                header = tuple(cells)
                edged = (lines[line - 1] if line - 1 < len(lines) else "").lstrip().startswith("|")
                continue
            raw = lines[row_line - 1] if row_line - 1 < len(lines) else ""
            width = count_cells(raw)
            if rows and edged and width == 1 and not raw.lstrip().startswith("|"):
                # A line without the table's edge pipe is the row above wrapped: its last cell goes on.
                rows[-1] = _continued(rows[-1], cells[0])
                continue
            rows.append(Row(cells=tuple(cells), line=row_line, raw_cells=width))
    return Table(header=header, rows=tuple(rows), line=line)


def _continued(row: Row, more: Inline) -> Row:
    last = max((i for i, c in enumerate(row.cells) if c.text), default=len(row.cells) - 1)
    if last < 0:
        return row
    cell = row.cells[last]
    joined = Inline(
        text=f"{cell.text} {more.text}".strip(), links=cell.links + more.links, raw=f"{cell.raw} {more.raw}".strip()
    )
    return replace(row, cells=row.cells[:last] + (joined,) + row.cells[last + 1 :])


def count_cells(line: str) -> int:
    """Cells on a GFM table line: pipes outside code spans and not escaped, edges trimmed."""
    text = line.strip()
    separators = 0
    in_code = False
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "`":
            in_code = not in_code
        elif char == "|" and not in_code:
            separators += 1
    cells = separators + 1
    if text.startswith("|"):
        cells -= 1
    if text.endswith("|") and not text.endswith("\\|") and len(text) > 1:
        cells -= 1
    return cells
