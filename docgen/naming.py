"""Python names for documented names: the one place they are chosen.

Rules (documented in the README): snake_case for fields, methods, parameters and modules;
CapWords for classes; UPPER_CASE for enum members; ASCII only (accents are stripped, other
characters become `_`); a name that would be a keyword or soft keyword (fixed lists), a builtin
used in annotations, an attribute of pydantic's BaseModel / docgen's GraphModel / the client, or
a name generated modules bind beside it gets a trailing `_`; a name that starts with a digit gets
a prefix; names that still collide inside one scope get `_2`, `_3`, ... in the documented order;
a field's attribute is never another field's wire name. Wire names are never changed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from docgen.escape import Code
from docgen.ir import Model
from docgen.link import ODATA_TYPE, chain

# Attributes of pydantic.BaseModel (v2) and of the GraphModel base: a field of that name would
# shadow them. Fixed here, not read from the installed pydantic, so output is the same everywhere.
MODEL_RESERVED = frozenset("""construct copy dict from_orm json model_computed_fields model_config model_construct
    model_copy model_dump model_dump_json model_extra model_fields model_fields_set
    model_json_schema model_parametrized_name model_post_init model_rebuild model_validate
    model_validate_json model_validate_strings parse_file parse_obj parse_raw schema schema_json
    update_forward_refs validate fields from_dict to_dict from_json to_json to_body odata_type""".split())
# Lower-case builtins that generated annotations use: a field of that name would shadow them
# inside the class body.
ANNOTATION_BUILTINS = frozenset("str int float bool list dict bytes object".split())
CLIENT_RESERVED = frozenset(
    "close aclose request base_url timeout with_options with_raw_response with_streaming_response".split()
)
# Attributes of the generated clients (runtime bases): a resource group's accessor of that name
# would hide them (test_naming checks the list against the runtime).
# The names the clients' own annotations use (`str`, `httpx.Client`, ...) are taken too: in the class
# body an accessor of that name would be what they mean.
ACCESSOR_RESERVED = CLIENT_RESERVED | ANNOTATION_BUILTINS | frozenset("batch large_upload httpx".split())
# A method of a resource class must not be a builtin its class's annotations use (`list` is
# allowed: those annotations write `_t.MutableSequence`).
RESOURCE_RESERVED = CLIENT_RESERVED | (ANNOTATION_BUILTINS - {"list"})
# Fixed lists, not read from the running interpreter (`type` became a soft keyword in 3.12): the
# same pages give the same names on every Python docgen runs on.
KEYWORDS = frozenset("""False None True and as assert async await break class continue def del elif else except
    finally for from global if import in is lambda nonlocal not or pass raise return try while
    with yield""".split())
SOFT_KEYWORDS = frozenset("_ case match type".split())
# Module-level names that generated modules define or import next to model classes: a model
# class of that name would shadow them (pydantic's Field in models, the clients and the
# TOKEN constant in tests).
CLASS_RESERVED = frozenset("Field GraphClient AsyncGraphClient GraphModel TOKEN".split())
# Locals and keyword parameters of every generated client method.
PARAMETER_RESERVED = frozenset("self body params headers response url timeout max_retries extra_body".split())

_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ascii_words(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ord(ch) < 128)


@lru_cache(maxsize=1 << 16)  # the same property and parameter names recur on many pages
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
    if name in KEYWORDS or name in SOFT_KEYWORDS or name in reserved:
        name += "_"
    return Code(name)


def is_identifier(name: str) -> bool:
    """A plain ASCII identifier that is not a keyword (what generated code may bind)."""
    return bool(_IDENTIFIER.match(name)) and name not in KEYWORDS and name not in SOFT_KEYWORDS


def field_name(wire: str) -> str:
    return _guard(snake(wire), MODEL_RESERVED | ANNOTATION_BUILTINS, "field")


def class_name(documented: str) -> str:
    return _guard(capwords(documented), CLASS_RESERVED, "Model")


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


def accessor_name(name: str) -> Code:
    """A client attribute for a resource group (`graph.users`)."""
    return _guard(snake(name), ACCESSOR_RESERVED, "group")


def parameter_name(documented: str) -> str:
    return _guard(snake(documented), ANNOTATION_BUILTINS | PARAMETER_RESERVED, "param")


def package_name(configured: str) -> str:
    """The package folder: the configured name when it is a plain identifier (config checks
    that), else a sanitised one, so that no configured text can make a path leave the output
    folder."""
    if is_identifier(configured):
        return configured
    return _guard(snake(configured), frozenset(), "package")


def unique(names: list[str], reserved: Iterable[str] = ()) -> list[Code]:
    """The same names, made unique in order: a repeat gets _2, _3, ... Names in `reserved` are
    taken already."""
    taken: set[str] = set(reserved)
    result: list[Code] = []
    for name in names:
        candidate, counter = name, 1
        while candidate in taken:
            counter += 1
            candidate = f"{name}_{counter}"
        taken.add(candidate)
        result.append(Code(candidate))
    return result


def field_attributes(wires: list[str], taken: Iterable[str] = (), other_wires: Iterable[str] = ()) -> list[Code]:
    """Attributes for the wire names of one model's fields, in documented order.

    Besides being unique, an attribute never equals the wire name of another field (pydantic
    accepts a field by attribute or by wire name: `url` for `URL` next to a field `url` would
    fill both). So a field whose attribute is its own wire name keeps it, and the others yield:
    `URL` and `url` become `url_2` and `url`. `taken` are attributes inherited from bases;
    `other_wires` the wire names of the inherited fields."""
    wires = list(wires)
    forbidden = set(wires) | set(other_wires)
    base = [field_name(w) for w in wires]
    claimed = set(taken)
    for wire, name in zip(wires, base):
        if name == wire and name not in claimed:
            claimed.add(name)
    result: list[Code] = []
    assigned: set[str] = set(taken)
    for wire, name in zip(wires, base):
        if name == wire and name not in assigned:
            assigned.add(name)
            result.append(Code(name))
            continue
        candidate, counter = name, 1
        while candidate in assigned or candidate in claimed or candidate in forbidden:
            counter += 1
            candidate = f"{name}_{counter}"
        assigned.add(candidate)
        result.append(Code(candidate))
    return result


def enum_members(values: list[str]) -> list[Code]:
    """UPPER_CASE member names for documented enum values: a leading digit gets `M_`, an empty
    name `MEMBER`, repeats `_2`, `_3`."""
    names = []
    for value in values:
        name = snake(value).upper() or "MEMBER"
        if name[0].isdigit():
            name = f"M_{name}"
        names.append(name)
    return unique(names)


def test_names(example_names: list[str], operation: str) -> list[Code]:
    """Test function stems for an operation's examples (`test_<stem>`), unique and never the
    operation's own error test (`test_<operation>_error`)."""
    return unique([snake(name) or "example" for name in example_names], reserved=(f"{operation}_error",))


def model_attributes(model: Model, models: Mapping[str, Model]) -> dict[str, Code]:
    """wire name -> Python attribute for every field of the model, inherited ones included.
    Each class of the base chain names its own new fields (`field_attributes`: unique, and
    never another field's wire name), so a base's attributes are the same seen from any
    subclass."""
    attributes: dict[str, Code] = {}
    for item in reversed(chain(model, models)):
        new = [f.name for f in item.fields if f.name != ODATA_TYPE and f.name not in attributes]
        names = field_attributes(new, taken=attributes.values(), other_wires=attributes)
        attributes.update(zip(new, names))
    return attributes


# Method names from the REST call (README, "Names"): the HTTP method and the path give a verb
# and a resource; the title is used only when the path gives no resource at all.
_PLACEHOLDER_SEGMENT = re.compile(r"^(\{[^{}]*\}|<[^<>]*>)$")
_KEY_SEGMENT = re.compile(r"^([A-Za-z][A-Za-z0-9]*)\((.*)\)$")
# A segment that is an example's id rather than a name: a GUID, or a run of 5+ digits.
_ID_LIKE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-|\d{5,}")
_ARTICLES = frozenset("a an the".split())
_TITLE_NOISE = frozenset("deprecated preview beta api".split())
_IRREGULAR = {"children": "child", "people": "person", "indices": "index", "media": "media", "data": "data"}
_ACTION_VERBS = frozenset(
    """accept activate add apply approve archive assign batch cancel check checkin checkout clear complete confirm
    copy create deactivate decline delete deny disable dismiss enable evaluate export extract follow forward get
    grant hide import invite lock move pause pin publish reassign recover redirect refresh reject reload remove
    renew reopen reply reprocess request reset resolve restore resume retire retry revoke run schedule search send
    set share sign snooze start stop submit subscribe sync tentatively test transfer translate unarchive unfollow
    unhide unlock unpin unpublish unsubscribe update upgrade upload validate verify wipe""".split()
)


def singular(words: str) -> str:
    """The last word of a snake_case name in the singular: `side_loading_keys` ->
    `side_loading_key`, `policies` -> `policy`, `statuses` -> `status`, `children` -> `child`."""
    head, _, last = words.rpartition("_")
    if last in _PARTICLES and head:
        return f"{singular(head)}_{last}"  # the noun before a particle is the plural: times_off
    if last in _IRREGULAR:
        single = _IRREGULAR[last]
    elif last.endswith("ies") and len(last) > 4:
        single = last[:-3] + "y"
    elif last.endswith(("sses", "uses", "xes", "ches", "shes")):
        single = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        single = last[:-1]
    else:
        single = last
    return f"{head}_{single}" if head else single


_PARTICLES = frozenset({"off", "on", "in", "out", "up", "by", "over"})

_PLURAL_IRREGULAR = {"child": "children", "person": "people", "index": "indices", "media": "media", "data": "data"}


def plural(words: str) -> str:
    """The last word of a snake_case name in the plural, a plural kept as it is (`singular`
    tells them apart): `cart_to_class_association` -> `cart_to_class_associations`, `policy`
    -> `policies`, `status` -> `statuses`, `child` -> `children`, `time_off` -> `times_off`,
    `users` -> `users`, `shared` -> `shared` (an adjective), `thing_2` -> `things_2` (a number
    that tells names apart stays last)."""
    head, _, last = words.rpartition("_")
    if head and (last in _PARTICLES or (last.isdigit() and head[-1].isalpha())):
        return f"{plural(head)}_{last}"
    if not last or _plural(last):
        return words  # a plural already (or nothing to change)
    if last in _PLURAL_IRREGULAR:
        many = _PLURAL_IRREGULAR[last]
    elif last.endswith("ed") and not last.endswith("eed") and len(last) > 4:
        many = last  # an adjective: the `shared`, `used` insights
    elif last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        many = last[:-1] + "ies"
    elif last.endswith("is") and len(last) > 3:
        many = last[:-2] + "es"  # analysis -> analyses
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        many = last + "es"
    else:
        many = last + "s"
    return f"{head}_{many}" if head else many


def in_group_name(name: str, noun: str) -> str:
    """A method's name inside its resource group (README, "The naming rule (methods)"): its
    REST-derived name with the group's noun (singular or plural) dropped where it is the
    object of the leading verb: `create_cart_to_class_association` -> `create`, `count_users`
    -> `count`, `get_photo_content` in `photos` -> `get_content`; other names are kept
    (`assign_license`, `list_user_messages`)."""
    verb, _, rest = name.partition("_")
    for form in dict.fromkeys((plural(noun), singular(noun), noun)):
        if rest == form:
            return _guard(verb, RESOURCE_RESERVED, "call")
        if rest.startswith(form + "_"):
            return _guard(f"{verb}_{rest[len(form) + 1 :]}", RESOURCE_RESERVED, "call")
    return name


def _plural(words: str) -> bool:
    return singular(words) != words


@lru_cache(maxsize=1 << 16)  # each path is named up to four times (method_names' rounds)
def _segments(path: str) -> tuple[tuple[str, str], ...]:
    """A documented path as (kind, snake name) pairs: kind is `param`, `literal`, `function`
    (a call such as `getX(days={days})` or `delta()`), `ref`, `value` or `count`; namespace
    casts (`microsoft.graph.user`) are dropped, a key in parentheses (`users('{id}')`) is a
    literal followed by a param."""
    result: list[tuple[str, str]] = []
    for raw in path.split("?", 1)[0].strip("/").split("/"):
        segment = raw.strip()
        if not segment:
            continue
        if _PLACEHOLDER_SEGMENT.match(segment) or segment.startswith(("{", "<")) or _ID_LIKE.search(segment):
            result.append(("param", ""))
        elif segment.lower() in ("$ref", "$value", "$count"):
            result.append((segment.lower()[1:], ""))
        elif "." in segment.split("(")[0]:
            continue  # a type cast: microsoft.graph.group
        elif key := _KEY_SEGMENT.match(segment):
            name, inner = key.groups()
            is_key = _plural(snake(name)) and inner.strip() and "=" not in inner and "," not in inner
            result.append(("literal", snake(name)) if is_key else ("function", snake(name)))
            if is_key:
                result.append(("param", ""))
        elif any(ch.isalpha() for ch in segment):
            result.append(("literal", snake(segment)))
    return tuple(result)


def path_resources(path: str) -> list[str]:
    """The resources a documented path names, outermost first, in snake_case singular:
    `/me/mailFolders/{id}/messages/{id}/reply` -> `me`, `mail_folder`, `message`, `reply`
    (casts, `$ref`, `$value`, `$count` and function calls left out)."""
    return [singular(name) for kind, name in _segments(path) if kind == "literal"]


def title_method_name(title: str) -> str:
    """A method name from a page title, articles and doc-site noise dropped: `Get a user` ->
    `get_user`."""
    words = [w for w in snake(title).split("_") if w and w not in _ARTICLES and w not in _TITLE_NOISE]
    return _guard("_".join(words), CLIENT_RESERVED, "call")


_FILE_VERBS = frozenset({"get", "list", "post", "create", "update", "delete", "put", "patch"})


def file_qualified(name: str, stem: str) -> str:
    """A method name qualified by the words of its page's file name that it does not hold yet
    (their singulars compared; HTTP and CRUD verbs of file names, `post`, `list`, ..., dropped):
    `list_users` from `intune-onboarding-user-list.md` -> `list_users_intune_onboarding`, and
    from `user-list.md` -> `list_users`; "" when that would add more than two words."""
    have = {singular(word) for word in name.split("_")}
    extra = [
        word
        for word in snake(stem).split("_")
        if word and singular(word) not in have and word not in _FILE_VERBS and word not in _ARTICLES
    ]
    extra = list(dict.fromkeys(extra))
    if len(extra) > 2:
        return ""  # the file's words say little (`intune-shared-iosmanagedappprotection-...`)
    return _guard("_".join([name, *extra]), CLIENT_RESERVED, "call")


def rest_method_name(http_method: str, path: str, title: str = "", parents: int = 0) -> str:
    """The method name a person would type for `METHOD path`: `GET /users` -> `list_users`,
    `GET /users/{id}` -> `get_user`, `POST /users` -> `create_user`, `PATCH`/`DELETE` ->
    `update_`/`delete_`, `PUT` -> `set_`, `POST /groups/{id}/members/$ref` -> `add_group_member`,
    `DELETE .../members/{id}/$ref` -> `remove_group_member`, `GET .../$value` -> `get_<x>_content`,
    `GET .../$count` -> `count_<x>`, an action or function by its own name (`POST
    /users/{id}/assignLicense` -> `assign_license`; a one-word one is qualified by its
    resource: `POST /me/messages/{id}/reply` -> `reply_message`). `parents` adds that many
    enclosing resources before the resource (`list_user_messages`), to resolve collisions."""
    method = http_method.upper()
    segments = _segments(path)
    tail = segments[-1][0] if segments else ""
    if tail in ("ref", "value", "count"):
        segments = segments[:-1]
    ends_in_param = bool(segments) and segments[-1][0] == "param"
    named = [(kind, name) for kind, name in segments if kind != "param"]
    if not named:
        return title_method_name(title)
    kind, last = named[-1]
    context = [singular(name) for _, name in named[:-1]][-parents:] if parents else []
    if context and len(named) > 1 and (kind == "function" or method == "POST"):
        context = [singular(name) for _, name in named[:-2]][-parents:]  # the action's own resource is named already
    action = kind == "function" or (
        method == "POST"
        and not ends_in_param
        and tail not in ("ref", "value", "count")
        and last.split("_")[0] in _ACTION_VERBS
        and len(named) > 1
    )
    if action:
        parent = named[-2][1] if len(named) > 1 else ""
        parent = parent if kind == "function" else singular(parent)  # delta_users, reply_message
        qualifier = [*context, parent] if ("_" not in last or context) and parent else context
        return _guard("_".join([last, *qualifier]), CLIENT_RESERVED, "call")
    resource = "_".join([*context, last])
    single = "_".join([*context, singular(last)])
    if tail == "ref":
        # a reference is added to (removed from) its parent: add_group_member, remove_widget_owner
        if not context and len(named) > 1:
            single = f"{singular(named[-2][1])}_{singular(last)}"
        verb = {"POST": "add", "DELETE": "remove", "PUT": "set"}.get(method)
        name = f"{verb}_{single}" if verb else f"list_{single}_refs"
    elif tail == "value":
        verb = "get" if method == "GET" else "set" if method in ("PUT", "PATCH") else method.lower()
        # `.../{id}/content/$value` is the content itself, not the content's content
        name = f"{verb}_{single}" if single.endswith("content") else f"{verb}_{single}_content"
    elif tail == "count":
        name = f"count_{resource}"
    elif ends_in_param:
        verb = {"GET": "get", "PATCH": "update", "PUT": "replace", "DELETE": "delete", "POST": "create"}.get(
            method, "call"
        )
        name = f"{verb}_{single}"
    elif _plural(last):
        verb = {"GET": "list", "POST": "create", "PATCH": "update", "PUT": "set", "DELETE": "delete"}.get(
            method, "call"
        )
        name = f"{verb}_{single if method == 'POST' else resource}"
    else:
        verb = {"GET": "get", "POST": "create", "PATCH": "update", "PUT": "set", "DELETE": "delete"}.get(method, "call")
        name = f"{verb}_{resource}"
    return _guard(name, CLIENT_RESERVED, "call")
