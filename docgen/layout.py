"""Black's layout, written by docgen: code is rendered already in the shape black gives it, so
black passes over each file once (its `format_str` runs again whenever its first pass changed
the text, which doubles a cold build). Each function takes the column it is printed at from
the template that prints it (a filter argument), so no plan code knows a template's indentation.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from typing import Any

from docgen.escape import Code, py

LINE_LENGTH = 88  # black's default, which the output is formatted with


# Import order as ruff's isort rules (I001, with their defaults) and its `__all__` rule (RUF022)
# want it, so that generated modules pass ruff as they are: names compare "naturally" (digit
# runs as numbers: win7 < win10), modules and members case-insensitively, members by kind first
# (CONSTANTS, Classes, others); `__all__` by kind first, then case-sensitively.
_DIGIT_RUNS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[tuple[int, int], ...]:
    key: list[tuple[int, int]] = []
    for number, part in enumerate(_DIGIT_RUNS.split(text)):
        if number % 2:
            key.append((ord("0"), int(part)))
        else:
            key.extend((ord(char), 0) for char in part)
    return tuple(key)


def _kind(name: str) -> int:
    return 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2


def module_key(module: str) -> tuple[Any, ...]:
    """isort's order of `from <module> import ...` lines of one section."""
    return (_natural(module.lower()), _natural(module))


def member_key(name: str) -> tuple[Any, ...]:
    """isort's order of the names of one `from ... import` (`X as X` by its first name)."""
    name = name.split(" as ", 1)[0]
    return (_kind(name), _natural(name.lower()), _natural(name))


def by_module(items: Iterable[Any]) -> list[Any]:
    """Import plans (anything with `module` and, optionally, `class_name`) without repeats, in
    isort's order of their modules (a filter)."""
    unique = {(str(i.module), str(getattr(i, "class_name", ""))): i for i in items}
    return [unique[k] for k in sorted(unique, key=lambda k: (module_key(k[0]), member_key(k[1])))]


def sorts_before(module: str, other: str) -> bool:
    """Whether isort puts `from module import ...` before `from other import ...` (a filter)."""
    return module_key(module) < module_key(other)


def by_member(names: Iterable[str]) -> list[str]:
    """Names in isort's order of the members of one import (a filter)."""
    return sorted(names, key=member_key)


def all_literal(names: Iterable[str]) -> Code:
    """`__all__ = [...]`: a list literal (what linters and type checkers read), sorted as ruff's
    RUF022 sorts it (SCREAMING_CASE, then CamelCase, then the rest; each case-sensitively)."""
    ordered = sorted(set(names), key=lambda n: (0 if n.isupper() else 1 if n[:1].isupper() else 2, _natural(n)))
    return fit("__all__ = [", [py(n) for n in ordered], "]", 0)


def fit(opening: str, items: list[str], closing: str, indent: int, used: int = 0, after: str = "") -> Code:
    """opening + items + closing on one line when that fits with `used` columns taken before
    it at this indent and `after` following it; else one item per line with a trailing comma,
    which black keeps as it is (its "magic trailing comma"). Either way black has nothing
    left to change."""
    one_line = opening + ", ".join(items) + closing
    if not items or indent + used + len(one_line) + len(after) <= LINE_LENGTH and "\n" not in one_line:
        return Code(one_line)
    inner = " " * (indent + 4)
    return Code(opening + "\n" + "".join(f"{inner}{item},\n" for item in items) + " " * indent + closing)


def assign(value: str, target: str, indent: int = 0) -> Code:
    """`target = value` (a filter: `{{ value | assign(target, indent) }}`), or the value in parentheses on a line of its own when the line would
    be too long (as black does)."""
    line = f"{target} = {value}"
    if indent + len(line) <= LINE_LENGTH or "\n" in value:
        return Code(line)
    return Code(f"{target} = (\n{' ' * (indent + 4)}{value}\n{' ' * indent})")


def from_import(names: list[str] | str, module: str, indent: int = 0, after: str = "") -> Code:
    """`from module import a, b` as black writes it (the names in isort's order): on one line
    when it fits, else in parentheses with one name per line. `after` (a comment) stays on the first line, where
    linters read a `# noqa` for the statement."""
    names = [names] if isinstance(names, str) else by_member(names)
    head = f"from {module} import "
    if indent + len(head) + len(", ".join(names)) + len(after) <= LINE_LENGTH:
        return Code(head + ", ".join(names) + after)
    inner = " " * (indent + 4)
    return Code(head + "(" + after + "\n" + "".join(f"{inner}{name},\n" for name in names) + " " * indent + ")")


def pretty(value: Any, indent: int = 0) -> Code:
    """py(value) laid out as black lays out a literal with magic trailing commas: one item per
    line. Not needed for correctness (black formats the file anyway) but black is much faster
    on text that is already in its shape, and large example bodies are most of the output."""
    inner = " " * (indent + 4)
    if isinstance(value, dict) and value:
        items = "".join(f"{inner}{py(str(k))}: {pretty(v, indent + 4)},\n" for k, v in value.items())
        return Code("{\n" + items + " " * indent + "}")
    if isinstance(value, list) and value:
        items = "".join(f"{inner}{pretty(v, indent + 4)},\n" for v in value)
        return Code("[\n" + items + " " * indent + "]")
    return py(value)


def call(func: str, args: list[str], indent: int, used: int = 0, after: str = "") -> Code:
    """`func(args)` (a filter: `{{ "isinstance" | call(["result", cls], 4, 7) }}`)."""
    return fit(f"{func}(", [str(a) for a in args], ")", indent, used, after)


def class_line(name: str, base: str) -> Code:
    """`class Name(Base):`, split as black splits it when too long."""
    return fit(f"class {name}(", [str(base)], "):", 0)


def declaration(attribute: str, annotation: str, wire: str, indent: int) -> Code:
    """`attribute: annotation | None = _rt.alias(<wire>)` as black lays it out in a class body
    (`= None` when the wire name is the attribute): on one line when it fits, else split inside
    the call when the line up to it fits, else the value in parentheses, else the annotation in
    parentheses. Not pydantic's overloaded `Field(...)` in each declaration: checkers evaluate
    it per field (a seventh of pyright's time on the package). Not `alias=`: type checkers
    would take it for the constructor's keyword, which is the attribute name."""
    head = f"{attribute}: {annotation} | None = "
    wire_literal, pad = py(wire), " " * indent

    def call(at: int, used: int) -> str:  # the value at this indent, `used` columns taken
        if wire == attribute:
            return "None"
        if at + used + len(f"_rt.alias({wire_literal})") <= LINE_LENGTH:
            return f"_rt.alias({wire_literal})"
        return f"_rt.alias(\n{' ' * (at + 4)}{wire_literal}\n{' ' * at})"

    if indent + len(head) + len(call(indent, len(head))) <= LINE_LENGTH or (
        wire != attribute and indent + len(head) + len("_rt.alias(") <= LINE_LENGTH
    ):
        return Code(head + call(indent, len(head)))
    if indent + len(head) + 1 <= LINE_LENGTH:
        return Code(f"{head}(\n{' ' * (indent + 4)}{call(indent + 4, 0)}\n{pad})")
    union, inner = f"{annotation} | None", " " * (indent + 4)
    if indent + 4 + len(union) > LINE_LENGTH:
        union = f"{annotation}\n{inner}| None"
    return Code(f"{attribute}: (\n{inner}{union}\n{pad}) = {call(indent, len(') = '))}")


def parameter(name: str, kinds: list[str], indent: int) -> Code:
    """`name: A | B` as black lays it out in a signature."""
    line = f"{name}: {' | '.join(str(k) for k in kinds)}"
    if indent + len(line) + 1 <= LINE_LENGTH or len(kinds) == 1:
        return Code(line)
    inner = " " * (indent + 4)
    items = "\n".join(f"{inner}{'| ' if i else ''}{k}" for i, k in enumerate(kinds))
    return Code(f"{name}: (\n{items}\n{' ' * indent})")


def keyword_parameter(name: str, annotation: str, indent: int) -> Code:
    """`name: annotation | None = None` in a signature, split as black splits it."""
    line = f"{name}: {annotation} | None = None"
    pad, inner = " " * indent, " " * (indent + 4)
    if indent + len(line) + 1 <= LINE_LENGTH:
        return Code(line)
    if indent + 4 + len(f"{annotation} | None") <= LINE_LENGTH:
        return Code(f"{name}: (\n{inner}{annotation} | None\n{pad}) = None")
    return Code(f"{name}: (\n{inner}{annotation}\n{inner}| None\n{pad}) = None")


def assertion(attribute: str, literal: str, parse: str, indent: int, compare: str = "==", bare: bool = False) -> Code:
    """`assert result.<attribute> == <literal>` (or `== <parse><literal>)`, for a parsing call
    such as `_date.fromisoformat(`; `is` for None; `bare`: the attribute is an expression of its
    own such as `len(result.x)`), laid out as black would; without its own indentation."""
    pad, inner = " " * indent, " " * (indent + 4)
    subject = attribute if bare else f"result.{attribute}"
    expected = f"{parse}{literal})" if parse else literal
    line = f"{pad}assert {subject} {compare} {expected}"
    if len(line) <= LINE_LENGTH or "\n" in literal:
        statement = line
    elif parse and len(f"{pad}assert {subject} {compare} {parse}") <= LINE_LENGTH:
        statement = f"{pad}assert {subject} {compare} {parse}\n{inner}{literal}\n{pad})"
    elif not literal.startswith(("[", "{", "(")):
        inside = f"{subject} {compare} {expected}"
        if indent + 4 + len(inside) <= LINE_LENGTH:
            statement = f"{pad}assert (\n{inner}{inside}\n{pad})"
        else:
            statement = f"{pad}assert (\n{inner}{subject}\n{inner}{compare} {expected}\n{pad})"
    else:
        statement = line  # black lays it out
    return Code(statement.removeprefix(pad))


def construct(value: Any, indent: int) -> Code:
    """A request body built through attributes (a `Construct` plan: `Class(attr=value, ...)`,
    nested), one argument per line with magic trailing commas, as black keeps it."""
    inner = " " * (indent + 4)
    if hasattr(value, "class_name"):
        items = [f"{name}={construct(v, indent + 4)}" for name, v in value.kwargs]
        if value.extras and _keywords(value.extras, {str(name) for name, _ in value.kwargs}):
            # ASCII identifiers are keywords of their own (`**{"a": 1}` says nothing `a=1` does not)
            items += [f"{key}={pretty(v, indent + 4)}" for key, v in value.extras.items()]
        elif value.extras:
            items.append(f"**{pretty(value.extras, indent + 4)}")
        if not items:
            return Code(f"{value.class_name}()")
        return Code(f"{value.class_name}(\n" + "".join(f"{inner}{i},\n" for i in items) + " " * indent + ")")
    if isinstance(value, list) and any(hasattr(v, "class_name") for v in value):
        return Code("[\n" + "".join(f"{inner}{construct(v, indent + 4)},\n" for v in value) + " " * indent + "]")
    return pretty(value, indent)


def _keywords(extras: dict[str, Any], taken: set[str]) -> bool:
    """Whether every key can be written as a keyword argument of its own."""
    return all(k.isascii() and k.isidentifier() and not keyword.iskeyword(k) and k not in taken for k in extras)


def path_literal(items: tuple[str, ...], indent: int) -> Code:
    """A path template tuple (literal text and parameter names alternating) as an item on a line
    of its own at indent, followed by a comma."""
    one_line = py(items)
    if indent + len(one_line) + 1 <= LINE_LENGTH:
        return one_line
    inner = " " * (indent + 4)
    if len(items) == 1:  # a one-tuple keeps its comma when black explodes it
        return Code(f"(\n{inner}{py(items[0])},\n{' ' * indent})")
    return fit("(", [py(item) for item in items], ")", indent, after=",")


def tuple_assignment(target: str, items: list[str]) -> Code:
    """`target = (item,)` at module level, or one item per line (the items laid out at 4)."""
    if len(items) == 1 and "\n" not in items[0]:
        line = f"{target} = ({items[0]},)"
        if len(line) <= LINE_LENGTH:
            return Code(line)
    return Code(f"{target} = (\n" + "".join(f"    {item},\n" for item in items) + ")")


def client_call(example_call: Any, indent: int, used: int = 0, after: str = "") -> Code:
    """A test's call of a client method (an `ExampleCall`): `method(args, body, keyword=value)`,
    laid out as black would on a line that starts at `indent` with `used` columns before the
    call and `after` behind it."""
    body = [str(example_call.body)] if example_call.body is not None else []
    kwargs = [f"{kw.name}={kw.value}" for kw in example_call.kwargs]
    return fit(f"{example_call.method}(", [*example_call.args, *body, *kwargs], ")", indent, used, after)


def returned(value: str, indent: int) -> Code:
    """`return value`, or the value in parentheses of its own when it cannot be split."""
    if "\n" not in value and indent + len("return ") + len(value) > LINE_LENGTH:
        return Code(f"return (\n{' ' * (indent + 4)}{value}\n{' ' * indent})")
    return Code(f"return {value}")
