"""Python names for documented names: the one place they are chosen.

Rules (documented in the README): snake_case for fields, methods, parameters and modules;
CapWords for classes; ASCII only (accents are stripped, other characters become `_`); a name
that would be a keyword, a builtin used in annotations, or an attribute of pydantic's
BaseModel / docgen's GraphModel / the client gets a trailing `_`; a name that starts with a
digit gets a prefix; names that still collide inside one scope get `_2`, `_3`, ... in the
documented order. Wire names are never changed.
"""

from __future__ import annotations

import hashlib
import keyword
import re
import unicodedata

from docgen.render import Code

# Attributes of pydantic.BaseModel (v2) and of the GraphModel base: a field of that name would
# shadow them. Fixed here, not read from the installed pydantic, so output is the same everywhere.
MODEL_RESERVED = frozenset(
    """construct copy dict from_orm json model_computed_fields model_config model_construct
    model_copy model_dump model_dump_json model_extra model_fields model_fields_set
    model_json_schema model_parametrized_name model_post_init model_rebuild model_validate
    model_validate_json model_validate_strings parse_file parse_obj parse_raw schema schema_json
    update_forward_refs validate fields from_dict to_dict from_json to_json odata_type""".split()
)
# Lower-case builtins that generated annotations use: a field of that name would shadow them
# inside the class body.
ANNOTATION_BUILTINS = frozenset("str int float bool list dict bytes object".split())
CLIENT_RESERVED = frozenset("close aclose request base_url timeout with_options".split())

_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")


def ascii_words(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ord(ch) < 128)


def snake(text: str) -> str:
    text = ascii_words(text)
    text = _CAMEL_1.sub(r"\1_\2", text)
    text = _CAMEL_2.sub(r"\1_\2", text)
    return _NON_WORD.sub("_", text).strip("_").lower()


def capwords(text: str) -> str:
    words = [w for w in _NON_WORD.split(ascii_words(text)) if w]
    return "".join(w[0].upper() + w[1:] for w in words)


def _guard(name: str, reserved: frozenset[str], prefix: str) -> Code:
    if not name:
        name = prefix
    if name[0].isdigit():
        name = f"{prefix}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in reserved:
        name += "_"
    return Code(name)


def field_name(wire: str) -> str:
    return _guard(snake(wire), MODEL_RESERVED | ANNOTATION_BUILTINS, "field")


def class_name(documented: str) -> str:
    return _guard(capwords(documented), frozenset(), "Model")


MAX_MODULE = 60


def module_name(documented: str) -> str:
    """A module name, at most MAX_MODULE characters (a long one keeps a stable hash of the
    whole), so that generated paths stay short."""
    name = _guard(snake(documented), ANNOTATION_BUILTINS, "m")
    if len(name) > MAX_MODULE:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = Code(f"{name[: MAX_MODULE - 9].rstrip('_')}_{digest}")
    return name


def method_name(title: str) -> str:
    return _guard(snake(title), CLIENT_RESERVED, "call")


def parameter_name(documented: str) -> str:
    return _guard(snake(documented), ANNOTATION_BUILTINS | {"body", "self", "params", "headers", "url"}, "param")


def unique(names: list[str]) -> list[Code]:
    """The same names, made unique in order: a repeat gets _2, _3, ..."""
    taken: set[str] = set()
    result: list[Code] = []
    for name in names:
        candidate, counter = name, 1
        while candidate in taken:
            counter += 1
            candidate = f"{name}_{counter}"
        taken.add(candidate)
        result.append(Code(candidate))
    return result


def enum_member_name(value: str) -> Code:
    name = snake(value).upper() or "MEMBER"
    return Code(f"M_{name}" if name[0].isdigit() else name)
