"""Client methods: one per operation page, with its paths, parameters and result kind; and the
operations modules that group them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import ClassVar

from docgen import layout, naming
from docgen.diagnostics import Sink
from docgen.escape import Code, comment, py
from docgen.ir import Operation, Page, PermissionKind, PermissionState, TypeKind
from docgen.link import key_of
from docgen.paths import PathPlan, split_path
from docgen.plan.files import FROZEN, FilePlan
from docgen.plan.models import ImportPlan
from docgen.plan.names import Names, Origin, TypeExpr, builtin, typing, union
from docgen.validate import CheckedOperation, MergedCall, OperationShape, ResultKind, ValidatedSpec

_SEQUENCE = union(builtin("str"), typing("Sequence", builtin("str")))
# OData system query options a method may document -> the keyword's annotation
QUERY_OPTIONS = {
    "select": _SEQUENCE,
    "filter": builtin("str"),
    "search": builtin("str"),
    "orderby": _SEQUENCE,
    "expand": _SEQUENCE,
    "top": builtin("int"),
    "skip": builtin("int"),
    "count": builtin("bool"),
    "skiptoken": builtin("str"),
    "format": builtin("str"),
}
NOT_PARAMETERS = {"authorization", "content-type", "content-length", "accept", "host"}
_PARAMETER_TYPES = {"Int32": "int", "Int64": "int", "Boolean": "bool", "Double": "float", "Single": "float"}


@dataclass(**FROZEN)
class Param:
    name: Code
    annotation: TypeExpr


@dataclass(**FROZEN)
class HeaderParam:
    """A documented request header the method takes as a keyword."""

    wire: str  # the header's name as documented, printed only through `py`
    name: Code


@dataclass(**FROZEN)
class BodyParam:
    """An action parameter (a request body documented by a parameters table, no model): a
    typed keyword argument whose value is sent under its documented key."""

    wire: str  # the documented key, printed only through `py`
    name: Code
    annotation: TypeExpr
    model_key: str | None  # the model its annotation names, if any (names' key)


@dataclass(**FROZEN)
class ResourceGroup:
    """One resource group: an operations module, its two resource classes and the client's
    accessor of them (`graph.cart_to_class_associations`)."""

    accessor: Code  # the client's attribute
    module: Code  # the operations module's name: the accessor's (shortened with a hash if long)
    resource: Code  # the sync resource class (`CartToClassAssociations`)
    async_resource: Code  # its async twin (`AsyncCartToClassAssociations`)
    noun: str  # what its methods drop when they name it as their object (its plural or singular)

    @property
    def accessor_def(self) -> Code:
        """The `def` line of the sync client's accessor, laid out as black lays it out."""
        return layout.fit(f"def {self.accessor}(", ["self"], f") -> {self.resource}:", 4)

    @property
    def async_accessor_def(self) -> Code:
        return layout.fit(f"def {self.accessor}(", ["self"], f") -> {self.async_resource}:", 4)


@dataclass(**FROZEN)
class MethodName:
    """Where a method is: its group, and its name inside the group's resource classes."""

    group: ResourceGroup
    name: Code

    @property
    def call(self) -> Code:
        """What a user types after the client: `cart_to_class_associations.create`."""
        return Code(f"{self.group.accessor}.{self.name}")


@dataclass(**FROZEN)
class MethodPlan:
    """One generated client method (printed twice: sync and async), in its resource group."""

    name: Code  # inside its group's resource classes
    group: ResourceGroup
    http_method: str  # printed through `py`
    paths: tuple[PathPlan, ...]  # the documented paths of this method, in order
    paths_const: Code
    required: tuple[Param, ...]  # path parameters every path has: positional
    optional: tuple[Param, ...]  # path parameters of some paths: keywords
    options: tuple[Param, ...]  # documented OData query options
    header_params: tuple[HeaderParam, ...]
    takes_body: bool
    body_class: Code | None
    body_params: tuple[BodyParam, ...]  # action parameters; then `body` is an optional keyword
    result: ResultKind
    response_class: Code | None
    imports: tuple[ImportPlan, ...]  # the model classes it names
    docstring: str
    source: Code
    permissions: tuple[Code, ...] = ()  # literals: the documented scopes of each kind, for 403s
    upload: Code | None = None  # a raw body's documented content type (a literal), if any
    download: bool = False  # a documented redirect (302) to content: the method returns bytes
    # the usage snippet of the docstring (`plan.snippets`), sync and async: code, laid out for
    # the docstring's column, printed verbatim inside it through `doc`; None: no example to show
    usage: Code | None = None
    usage_async: Code | None = None
    usage_key: Code | None = None  # a literal: the example's `page.md:line`, as the mock finds it
    usage_test: int = 0  # the number of the example test whose checks the snippet's result passes
    delta: bool = False  # a delta query (`/delta`, `delta()`) of a collection: a DeltaPager, delta_link=

    @property
    def call(self) -> Code:
        """What a user types after the client: `users.get`."""
        return Code(f"{self.group.accessor}.{self.name}")

    @property
    def test_stem(self) -> Code:
        """The stem of its generated tests' names: `users_get`."""
        return Code(f"{self.group.accessor}_{self.name}")

    @property
    def usage_test_def(self) -> Code:
        """The `def` line of its usage test, laid out as black lays it out."""
        return layout.fit(f"def test_{self.test_stem}_usage(", ["is_async: bool"], ") -> None:", 0)

    @property
    def usage_resource(self) -> Code:
        """`resource = <async class> if is_async else <class>` in its usage test, laid out as
        black lays it out."""
        sync, async_ = self.group.resource, self.group.async_resource
        line = f"{async_} if is_async else {sync}"
        if 4 + len("resource = ") + len(line) <= layout.LINE_LENGTH:
            return Code(f"resource = {line}")
        if 8 + len(line) <= layout.LINE_LENGTH:
            return Code(f"resource = (\n        {line}\n    )")
        return Code(f"resource = (\n        {async_}\n        if is_async\n        else {sync}\n    )")

    @property
    def uses_tasks(self) -> bool:
        """Whether it returns a helper of the runtime's `_tasks` module."""
        return self.delta or self.result == "operation"

    @property
    def permissions_const(self) -> Code:
        return Code(f"_PERMISSIONS_{self.name.upper()}")

    @property
    def parses_model(self) -> bool:
        """Whether the method's body names its response class (to parse a model or a pager)."""
        return self.result in (ResultKind.MODEL, ResultKind.PAGER) and not self.download

    @property
    def body_imports(self) -> tuple[ImportPlan, ...]:
        """What the method's body imports when it runs (its signature's names are imported
        for type checkers only): the response class it parses."""
        if not self.parses_model:
            return ()
        return tuple(i for i in self.imports if i.class_name == self.response_class)

    @property
    def uses_response(self) -> bool:
        """Whether the body reads the HTTP response (not for a method that returns None)."""
        return self.download or self.result is not ResultKind.NONE


@dataclass(**FROZEN)
class OperationsModulePlan(FilePlan):
    template: ClassVar[str] = "operations.py.j2"
    root: Code
    group: ResourceGroup
    methods: tuple[MethodPlan, ...]  # the template imports `_tasks` when one `uses_tasks`


_DELTA = re.compile(r"/(?:microsoft\.graph\.)?delta(?:\(.*\))?/?$", re.IGNORECASE)


def is_delta(op: Operation) -> bool:
    """A delta query: a GET whose documented path ends in `/delta` or the `delta()` function."""
    return any(p.method == "GET" and _DELTA.search(p.path.split("?")[0]) for p in op.paths)


def method_names(pages: list[Page], sink: Sink, noun: str = "") -> list[Code]:
    """Names from each page's REST call (`naming.rest_method_name`: its first documented path),
    inside one resource group whose noun is `noun` (`naming.in_group_name`: the noun is dropped
    where it is the verb's object). Pages whose calls give the same name are told apart by
    their paths, each of them naming one, two, then three enclosing resources
    (`list_user_messages`, `list_mail_folder_messages`); pages whose paths cannot tell them
    apart (one REST call documented per derived type) are named after their titles, articles
    dropped, and when titles collide too, after their files (DG501). A name thus depends on its
    own page, and on another page of its group only when both give the same name."""

    def short(name: str) -> str:
        return naming.in_group_name(name, noun) if noun else name

    ops = [p.operation for p in pages]
    calls = [(op.paths[0].method, op.paths[0].path, op.title) for op in ops]  # type: ignore[union-attr]
    wanted = [short(naming.rest_method_name(*call)) for call in calls]
    for parents in (1, 2, 3):
        counts = Counter(wanted)
        wanted = [
            short(naming.rest_method_name(*call, parents=parents)) if counts[name] > 1 else name
            for call, name in zip(calls, wanted)
        ]
    counts = Counter(wanted)
    titled = [
        short(naming.title_method_name(call[2])) if counts[name] > 1 else name for call, name in zip(calls, wanted)
    ]
    by_title = Counter(titled)
    stems = [page.path.rsplit("/", 1)[-1].removesuffix(".md") for page in pages]
    filed = [naming.file_qualified(title, stem) if by_title[title] > 1 else title for title, stem in zip(titled, stems)]
    by_file = Counter(filed)
    result = []
    for page, name, title, stem, with_file in zip(pages, wanted, titled, stems, filed):
        if counts[name] > 1:
            if by_title[title] == 1:
                qualified = title
            elif with_file and by_file[with_file] == 1:
                qualified = with_file
            else:
                qualified = short(naming.method_name(stem))
            sink.report(
                "DG501",
                page.span,
                f"method name {name!r} is shared by {counts[name]} pages whose paths do not tell them apart; "
                f"this one is {qualified!r}",
            )
            name = qualified
        result.append(name)
    return naming.unique(result)


def operation_names(validated: ValidatedSpec, sink: Sink, names: Names | None = None) -> list[MethodName]:
    """The group and method name of each checked operation: its group is `group_of`'s (one
    accessor per group, `group_accessor`), its name `method_names`' among the pages of its group
    (one page per operation: later operations of a page are titled from their own section).
    The operations of a merged call (`ValidatedSpec.merged`) are one method: named as its
    leader alone, the others get its name."""
    names = names if names is not None else Names.of(validated.spec, validated.index)
    checked = validated.operations
    call_of = {i: m for m in validated.merged for i in m.members}
    leader = {i: m.members[0] for m in validated.merged for i in m.members}
    models = frozenset(naming.snake(names.classes[key_of(m)]) for m in validated.spec.models)
    accessor_of = [
        group_accessor(*resource_noun(c.operation, names, call_of.get(i), models)) for i, c in enumerate(checked)
    ]
    groups = resource_groups(sorted(set(accessor_of)), names)
    members_of: dict[Code, list[int]] = {}
    for i, accessor in enumerate(accessor_of):
        if leader.get(i, i) == i:
            members_of.setdefault(accessor, []).append(i)
    named: dict[int, Code] = {}
    for accessor, group in groups.items():
        members = members_of.get(accessor, [])
        pages = [replace(checked[i].page, operations=(checked[i].operation,)) for i in members]
        named.update(zip(members, method_names(pages, sink, group.noun)))
    return [MethodName(group=groups[accessor_of[i]], name=named[leader.get(i, i)]) for i in range(len(checked))]


def resource_groups(accessors: list[Code], names: Names) -> dict[Code, ResourceGroup]:
    """The groups of these accessors (sorted), whose noun is the accessor: resource classes named
    after the accessor in CapWords (`Users`, `AsyncUsers`), `Resource` added when a model class
    of the version has that name; unique, in accessor order."""
    models = set(names.classes.values()) | naming.CLASS_RESERVED
    wanted = []
    for accessor in accessors:
        name = naming.capwords(accessor)
        if name in models or f"Async{name}" in models:
            name += "Resource"
        wanted.append(name)
    unique = naming.unique(wanted)
    taken = set(unique)
    modules = dict(zip(accessors, naming.unique([naming.module_name(a.rstrip("_")) for a in accessors])))
    result = {}
    for accessor, name in zip(accessors, unique):
        async_name = f"Async{name}"
        while async_name in taken:
            async_name += "_"
        taken.add(async_name)
        result[accessor] = ResourceGroup(
            accessor=accessor,
            module=modules[accessor],
            resource=Code(name),
            async_resource=Code(async_name),
            noun=accessor.rstrip("_"),
        )
    return result


def group_accessor(noun: str, from_model: bool) -> Code:
    """The client's attribute for a group: the plural of a model's class name in snake_case
    (`cart_to_class_association` -> `cart_to_class_associations`), a path segment's own
    name (`me`, `security`, `users`). An attribute of the client itself (`batch`,
    `with_options`, ...) or a keyword gets `_` (`naming.accessor_name`)."""
    return naming.accessor_name(naming.plural(noun) if from_model else noun)


def merged_method(plan: MethodPlan, call: MergedCall, checked: Sequence[CheckedOperation], names: Names) -> MethodPlan:
    """The one method of a merged call: its leader's method (`plan`), taking and returning the
    nearest common bases (the runtime parses a response into the class its `@odata.type`
    names), its docstring naming every page."""
    body_key = key_of(call.body) if call.body is not None and plan.body_class else None
    response_key = key_of(call.response) if call.response is not None and plan.response_class else None
    keys = {k for k in (body_key, response_key) if k} | {p.model_key for p in plan.body_params if p.model_key}
    leader = checked[call.members[0]]
    bases = " and ".join(dict.fromkeys(m.name for m in (call.body, call.response) if m is not None))
    first = leader.operation.paths[0]
    pages = "\n".join(f"- {checked[i].operation.title} ({checked[i].operation.span})" for i in call.members)
    summary = replace(
        leader.operation,
        title=f"{first.method} {first.path}, documented for {bases} and its derived types by {len(call.members)} pages",
        description=f"Takes and returns {bases}; a response is parsed into the class its @odata.type names. "
        f"The pages:\n{pages}",
    )
    return replace(
        plan,
        body_class=names.classes[body_key] if body_key else None,
        response_class=names.classes[response_key] if response_key else None,
        imports=tuple(ImportPlan(module=names.modules[k], class_name=names.classes[k]) for k in sorted(keys)),
        docstring=plan_method(summary, leader.shape, MethodName(group=plan.group, name=plan.name), names).docstring,
    )


def page_view(merged: MethodPlan, own: MethodPlan) -> MethodPlan:
    """The merged method as one page's tests see it: they call it, and check its result is of
    that page's own (derived) class."""
    imports = {(i.module, i.class_name): i for i in (*merged.imports, *own.imports)}
    return replace(
        merged,
        body_class=own.body_class,
        response_class=own.response_class,
        imports=tuple(sorted(imports.values(), key=lambda i: (i.module, i.class_name))),
        usage=None,
        usage_async=None,
        usage_key=None,
        usage_test=0,
    )


def plan_method(op: Operation, shape: OperationShape, where: MethodName, names: Names) -> MethodPlan:
    name = where.name
    paths: list[PathPlan] = []
    for path in op.paths:
        plan = split_path(path.path)
        if path.method == shape.method and plan not in paths:
            paths.append(plan)
    required = [n for n in paths[0].names if all(n in p.names for p in paths)]
    optional = list(dict.fromkeys(n for p in paths for n in p.names if n not in required))
    taken = set(required) | set(optional) | {"body", "params", "headers", "self", "url"}
    taken |= {"timeout", "max_retries", "extra_body"}  # the per-call options every method takes
    delta = is_delta(op) and shape.result is ResultKind.PAGER
    if delta:
        taken.add("delta_link")
    options = [o for o in op.query_options if o in QUERY_OPTIONS and o not in taken]
    taken |= set(options)
    header_params = []
    for header in op.headers:
        wire = header.name.strip().rstrip(":").strip()  # `Prefer:` as some tables write it
        keyword = naming.parameter_name(wire)
        if wire and wire.lower() not in NOT_PARAMETERS and keyword not in taken:
            taken.add(keyword)
            header_params.append(HeaderParam(wire=wire, name=keyword))
    response_key = names.model_key(op.response.type if op.response else None)
    body_key = names.model_key(op.request_body.type if op.request_body else None)
    # a raw body: documented by its Content-Type, with or without a request body section
    upload = _upload_type(op) if shape.method in ("POST", "PUT", "PATCH") else None
    annotations = _parameter_annotations(op, paths)
    body_params = _body_params(op, shape, names, taken) if body_key is None else ()
    model_keys = {k for k in (response_key, body_key) if k} | {p.model_key for p in body_params if p.model_key}
    return MethodPlan(
        name=name,
        group=where.group,
        http_method=shape.method,
        paths=tuple(paths),
        paths_const=Code(f"_PATHS_{name.upper()}"),
        required=tuple(Param(name=n, annotation=annotations[n]) for n in required),
        optional=tuple(Param(name=n, annotation=annotations[n]) for n in optional),
        options=tuple(Param(name=Code(o), annotation=QUERY_OPTIONS[o]) for o in options),
        header_params=tuple(header_params),
        takes_body=shape.takes_body,
        body_class=names.classes[body_key] if body_key else None,
        body_params=body_params,
        result=shape.result,
        response_class=names.classes[response_key] if response_key else None,
        imports=tuple(ImportPlan(module=names.modules[k], class_name=names.classes[k]) for k in sorted(model_keys)),
        docstring=docstring(
            op,
            required + optional,
            options,
            header_params,
            upload is not None,
            shape.takes_body,
            delta=delta,
            operation=shape.result is ResultKind.OPERATION,
        ),
        source=comment(str(op.span)),
        permissions=tuple(py(line) for line in permission_lines(op) if not line.endswith(": not supported")),
        upload=py(upload) if upload else None,
        download=shape.redirects,
        delta=delta,
    )


_MEDIA_TYPE = re.compile(r"\b[a-z]+/[a-z0-9.+-]+", re.IGNORECASE)
_PERMISSION_KINDS = {
    PermissionKind.DELEGATED_WORK: "Delegated (work or school account)",
    PermissionKind.DELEGATED_PERSONAL: "Delegated (personal Microsoft account)",
    PermissionKind.APPLICATION: "Application",
}


def _upload_type(op: Operation) -> str | None:
    """The documented Content-Type of a raw (non-JSON) request body: text/csv, image/jpeg..."""
    for header in op.headers:
        if header.name.lower() == "content-type":
            match = _MEDIA_TYPE.search(header.value) or _MEDIA_TYPE.search(header.description)
            if match and "json" not in match.group(0).lower():
                return match.group(0).rstrip(".")
    return None


def permission_lines(op: Operation) -> list[str]:
    """`Delegated (work or school account): A, B` for each row of the permissions table, each
    kind's scopes least privileged first (extraction orders them so)."""
    lines = []
    for permission in op.permissions:
        label = _PERMISSION_KINDS.get(permission.kind, str(permission.kind))
        if permission.state is PermissionState.SCOPES and permission.scopes:
            lines.append(f"{label}: {', '.join(permission.scopes)}")
        elif permission.state is PermissionState.NOT_SUPPORTED:
            lines.append(f"{label}: not supported")
    return lines


def docstring(
    op: Operation,
    path_names: list[Code],
    options: list[str],
    headers: list[HeaderParam],
    upload: bool,
    json_body: bool,
    *,
    delta: bool = False,
    operation: bool = False,
) -> str:
    """The method's docstring: what the page says, its parameters, permissions, documented
    response and where it comes from (page text, printed only through `doc`)."""
    docs = [op.title, op.description, "\n".join(f"{p.method} {p.path}" for p in op.paths)]
    described = {naming.snake(p.name): p for p in op.parameters}
    lines = []
    for name in path_names:
        key = str(name)
        param = (
            described.get(key) or described.get(key.removesuffix("_id")) or described.get(key.removesuffix("_value"))
        )
        lines.append(f"{name}: {param.description}" if param and param.description else f"{name}: path parameter")
    for option in options:
        lines.append(f"{option}: the OData ${option} query option")
    for header in headers:
        documented = next((h for h in op.headers if h.name == header.wire), None)
        text = documented.description if documented is not None else ""
        lines.append(f"{header.name}: the {header.wire} header" + (f"; {text}" if text else ""))
    if upload:
        lines.append("body: the content to send: bytes, a binary file or an iterator of chunks (streamed)")
    if delta:
        lines.append(
            "delta_link: the delta_link a DeltaPager of an earlier call ended with (stored): only the "
            "changes since then"
        )
    if lines:
        docs.append("Parameters:\n" + "\n".join(f"- {line}" for line in lines))
    permissions = permission_lines(op)
    if permissions:
        docs.append("Permissions (least privileged first):\n" + "\n".join(f"- {p}" for p in permissions))
    if op.response and op.response.status:
        status = op.response.status
        docs.append(f"Documented response: {status} {_reason(status)}.".replace(" .", "."))
    if operation:
        docs.append(
            "Returns an Operation: the service runs it on its own; wait(timeout=...) polls its monitor URL "
            "(the Location header) until it ends."
        )
    if delta:
        docs.append(
            "Returns a DeltaPager: iterate it for every change, then store its delta_link and pass it back "
            "as delta_link= for the next changes."
        )
    docs.append(
        "params and headers add query parameters and headers (extra_query, extra_headers)"
        + ("" if upload or not json_body else ", extra_body adds JSON properties")
        + "; timeout and max_retries apply to this call; url sends the request to that URL "
        "(absolute, or relative to the base URL) instead of one built from the path parameters."
    )
    docs.append(f"From {op.span}.")
    return "\n\n".join(d for d in docs if d)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _body_params(op: Operation, shape: OperationShape, names: Names, taken: set[str]) -> tuple[BodyParam, ...]:
    """The rows of a request body's parameters table as keyword arguments, when the body has
    no model (`assignLicense(addLicenses, removeLicenses)` -> `add_licenses=..., remove_licenses=...`)."""
    if not shape.takes_body or op.request_body is None or not op.request_body.fields:
        return ()
    fields = [f for f in op.request_body.fields if "@" not in f.name]
    attributes = naming.field_attributes([f.name for f in fields], taken=taken | naming.PARAMETER_RESERVED)
    result = []
    for field, attribute in zip(fields, attributes):
        annotation, needed = names.annotation(field.type)
        result.append(BodyParam(wire=field.name, name=attribute, annotation=_class_scope(annotation), model_key=needed))
    return tuple(result)


def _class_scope(expr: TypeExpr) -> TypeExpr:
    """The annotation as a resource class's method may write it: `list[X]` is
    `_t.MutableSequence[X]` (a list, or any mutable sequence; not a str), since a method named
    `list` of that class would be what `list` means in its scope."""
    args = tuple(_class_scope(arg) for arg in expr.args)
    if expr.origin is Origin.BUILTIN and expr.name == "list":
        return typing("MutableSequence", *args)
    return replace(expr, args=args)


def resource_noun(
    op: Operation, names: Names, call: MergedCall | None = None, models: frozenset[str] = frozenset()
) -> tuple[str, bool]:
    """What names a method's resource group, and whether it is a model's: the snake_case class name of
    the model it returns or takes (a merged call's common base), else of the innermost
    resource of its first path that is a model (`models`: their class names in snake_case; `DELETE
    /.../cartToClassAssociations/{id}`, `POST /me/messages/{id}/reply`), else the first path
    segment's."""
    if call is not None:
        key = next((key_of(m) for m in (call.response, call.body) if m is not None), None)
    else:
        key = names.model_key(op.response.type if op.response else None) or names.model_key(
            op.request_body.type if op.request_body else None
        )
    if key:
        return naming.snake(names.classes[key]), True
    for resource in reversed(naming.path_resources(op.paths[0].path)):
        if resource in models:
            return resource, True
    first_segment = split_path(op.paths[0].path).literal_parts[0].strip("/").split("/")[0].split("(")[0]
    return str(naming.module_name(first_segment or "root")), False


def _parameter_annotations(op: Operation, paths: list[PathPlan]) -> dict[str, TypeExpr]:
    """Path parameters are str, except function parameters the docs type as numbers or
    booleans (`getX(days={days})` with `days | Int32`)."""
    documented = {naming.snake(p.name): p.type for p in op.parameters if p.type.kind is TypeKind.PRIMITIVE}
    annotations: dict[str, TypeExpr] = {}
    for path in paths:
        for holder, name in zip(path.placeholders, path.names):
            key = naming.snake(holder)
            ref = documented.get(key) or documented.get(key.removesuffix("_value"))
            kind = _PARAMETER_TYPES.get(ref.name, "str") if ref is not None and not ref.collection else "str"
            annotations.setdefault(name, builtin(kind))
    return annotations
