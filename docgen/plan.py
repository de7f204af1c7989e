"""Stage 5a: ApiSpec -> the files to generate, each a template plus the names and literals it
prints. All Python names are chosen here (through `naming`); templates only lay them out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from docgen import conform, naming
from docgen.diagnostics import Sink
from docgen.ir import ApiSpec, BodyKind, Enum, Example, Field, Model, Operation, Page, TypeKind, TypeRef
from docgen.render import Code, comment, py


@dataclass(frozen=True, slots=True)
class PlannedFile:
    path: str  # relative to the output folder, posix
    template: str
    context: dict[str, Any]
    sources: tuple[str, ...]  # the pages it was generated from (shown in its header)


_PRIMITIVE_ANNOTATIONS = {
    "String": "str",
    "Int32": "int",
    "Int64": "int",
    "Boolean": "bool",
    "Double": "_rt.Double",
    "Single": "_rt.Double",
    "DateTimeOffset": "_rt.DateTimeOffset",
    "Date": "_rt.Date",
    "TimeOfDay": "_rt.TimeOfDay",
    "Duration": "_rt.Duration",
    "Guid": "str",
    "Binary": "str",
    "Stream": "str",
    "Json": "_t.Any",
}


@dataclass(slots=True)
class Names:
    """The class and module name of every model and enum, keyed by lower-cased documented name."""

    classes: dict[str, Code] = field(default_factory=dict)
    modules: dict[str, Code] = field(default_factory=dict)
    enums: set[str] = field(default_factory=set)

    def annotation(self, ref: TypeRef) -> tuple[Code, str | None]:
        """(annotation, the lower-cased type it needs imported, if any)."""
        needed = None
        if ref.kind is TypeKind.PRIMITIVE:
            inner = _PRIMITIVE_ANNOTATIONS[ref.name]
        elif ref.kind is TypeKind.NAMED and ref.name.lower() in self.classes:
            needed = ref.name.lower()
            inner = self.classes[needed]
            if needed in self.enums:
                inner = f"{inner} | str"
        else:
            inner = "_t.Any"
        return Code(f"list[{inner}]" if ref.collection else inner), needed


def plan(spec: ApiSpec, package: str, input_name: str, base_url: str, sink: Sink) -> list[PlannedFile]:
    package = naming.package_name(package)
    names = _names(spec)
    everything = (input_name,)
    files = [
        PlannedFile("conftest.py", "conftest.py.j2", {"package": Code(package)}, everything),
        PlannedFile(f"{package}/_runtime.py", "runtime.py.j2", {}, everything),
    ]
    models_by_key = {m.name.lower(): m for m in spec.models}
    for model in spec.models:
        files.append(_model_file(model, models_by_key, names, package))
    for enum in spec.enums:
        files.append(_enum_file(enum, names, package))
    files.append(_models_init(spec, names, package, everything))
    operations = _operation_views(spec, names, models_by_key, sink)
    groups: dict[str, list[dict[str, Any]]] = {}
    for view in operations:
        groups.setdefault(view["group"], []).append(view)
    group_views = []
    mixins = naming.unique([naming.capwords(group) + "Operations" for group in sorted(groups)])
    for (group, views), mixin in zip(sorted(groups.items()), mixins):
        group_views.append({"module": Code(group), "mixin": Code(f"_{mixin}"), "async_mixin": Code(f"_Async{mixin}")})
        sources = tuple(sorted({v["source_page"] for v in views}))
        files.append(
            PlannedFile(
                f"{package}/operations/{group}.py",
                "operations.py.j2",
                {"package": Code(package), "operations": views, **group_views[-1]},
                sources,
            )
        )
    files.append(PlannedFile(f"{package}/operations/__init__.py", "operations_init.py.j2", {}, everything))
    files.append(
        PlannedFile(
            f"{package}/client.py",
            "client.py.j2",
            {"groups": group_views, "base_url": py(base_url)},
            everything,
        )
    )
    files.append(PlannedFile(f"{package}/__init__.py", "package_init.py.j2", {"package": Code(package)}, everything))
    pages_with_tests = {}
    for view in operations:
        pages_with_tests.setdefault(view["source_page"], []).append(view)
    test_modules = naming.unique(
        [naming.module_name(source.rsplit("/", 1)[-1].removesuffix(".md")) for source in sorted(pages_with_tests)]
    )
    for (source, views), module in zip(sorted(pages_with_tests.items()), test_modules):
        files.append(
            PlannedFile(
                f"tests/test_{module}.py",
                "test_page.py.j2",
                {"package": Code(package), "operations": views, "source": source},
                (source,),
            )
        )
    return files


def _names(spec: ApiSpec) -> Names:
    names = Names()
    keys = [m.name.lower() for m in spec.models] + [e.name.lower() for e in spec.enums]
    documented = [m.name for m in spec.models] + [e.name for e in spec.enums]
    classes = naming.unique([naming.class_name(n) for n in documented])
    modules = naming.unique([naming.module_name(n) for n in documented])
    for key, cls, module in zip(keys, classes, modules):
        names.classes[key] = cls
        names.modules[key] = module
    names.enums = {e.name.lower() for e in spec.enums}
    return names


ODATA_TYPE = "@odata.type"  # GraphModel's own field: a documented `@odata.type` row adds nothing


def _chain(model: Model, models: dict[str, Model]) -> list[Model]:
    """The model and its bases, the model first (a cycle in bases is cut)."""
    chain, seen = [], set()
    current: Model | None = model
    while current is not None and current.name.lower() not in seen:
        seen.add(current.name.lower())
        chain.append(current)
        current = models.get(current.base.lower()) if current.base else None
    return chain


def _all_fields(model: Model, models: dict[str, Model]) -> list[Field]:
    """Own fields after the base chain's fields. `@odata.type` is the base class's own field."""
    result: dict[str, Field] = {}
    for item in reversed(_chain(model, models)):
        for f in item.fields:
            if f.name != ODATA_TYPE:
                result.setdefault(f.name, f)
    return list(result.values())


def field_attributes(model: Model, models: dict[str, Model]) -> dict[str, Code]:
    """wire name -> Python attribute for every field of the model, inherited ones included.
    Each class in the base chain names its own new fields, so a base's attributes are the same
    seen from any subclass."""
    attributes: dict[str, Code] = {}
    for item in reversed(_chain(model, models)):
        new = [f.name for f in item.fields if f.name != ODATA_TYPE and f.name not in attributes]
        names = naming.field_attributes(new, taken=attributes.values(), other_wires=attributes)
        attributes.update(zip(new, names))
    return attributes


def _model_file(model: Model, models: dict[str, Model], names: Names, package: str) -> PlannedFile:
    key = model.name.lower()
    attributes = field_attributes(model, models)
    base = models.get(model.base.lower()) if model.base else None
    inherited = set(field_attributes(base, models)) if base else set()
    imports: dict[str, Code] = {}
    fields = []
    for f in model.fields:
        if f.name in inherited or f.name not in attributes:
            continue
        annotation, needed = names.annotation(f.type)
        if needed and needed != key:
            imports[names.modules[needed]] = names.classes[needed]
        fields.append(
            {
                "attribute": attributes[f.name],
                "wire": py(f.name),
                "annotation": annotation,
                "description": f.description,
                "source": comment(str(f.span)),
            }
        )
    context = {
        "class_name": names.classes[key],
        "base": {"class_name": names.classes[base.name.lower()], "module": names.modules[base.name.lower()]} if base else None,
        "description": model.description or f"The {model.name} type.",
        "odata_type": py(model.odata_type),
        "origin": Code(str(model.origin)),
        "placeholder": model.origin == "placeholder",
        "fields": fields,
        "imports": [{"module": m, "class_name": c} for m, c in sorted(imports.items())],
        "source": comment(str(model.span)),
    }
    return PlannedFile(f"{package}/models/{names.modules[key]}.py", "model.py.j2", context, (model.span.path,))


def _enum_file(enum: Enum, names: Names, package: str) -> PlannedFile:
    key = enum.name.lower()
    attributes = naming.enum_members([m.name for m in enum.members])
    members = [
        {"attribute": a, "value": py(m.name), "description": m.description}
        for a, m in zip(attributes, enum.members)
    ]
    context = {
        "class_name": names.classes[key],
        "description": enum.description or f"The {enum.name} enumeration.",
        "members": members,
        "source": comment(str(enum.span)),
    }
    return PlannedFile(f"{package}/models/{names.modules[key]}.py", "enum.py.j2", context, (enum.span.path,))


def _models_init(spec: ApiSpec, names: Names, package: str, sources: tuple[str, ...]) -> PlannedFile:
    exports = sorted(
        ({"class_name": names.classes[k], "module": names.modules[k]} for k in names.classes), key=lambda e: e["class_name"]
    )
    registry = [
        {"odata_type": py(m.odata_type), "location": py(f"{package}.models.{names.modules[m.name.lower()]}:{names.classes[m.name.lower()]}")}
        for m in spec.models
    ]
    return PlannedFile(f"{package}/models/__init__.py", "models_init.py.j2", {"exports": exports, "registry": registry}, sources)


# ---- operations -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}|<([^<>]*)>")


@dataclass(frozen=True, slots=True)
class PathPlan:
    literal_parts: tuple[str, ...]  # text between placeholders
    placeholders: tuple[str, ...]

    def regex(self) -> re.Pattern[str]:
        pattern = "".join(
            re.escape(part) + ("([^/?]+?)" if i < len(self.placeholders) else "")
            for i, part in enumerate(self.literal_parts)
        )
        return re.compile(pattern + r"/?$", re.IGNORECASE)


def split_path(path: str) -> PathPlan:
    parts, holders, last = [], [], 0
    for match in _PLACEHOLDER.finditer(path):
        parts.append(path[last : match.start()])
        holders.append((match.group(1) or match.group(2) or "value").split("|")[0].strip())
        last = match.end()
    parts.append(path[last:])
    return PathPlan(tuple(parts), tuple(holders))


def _parameter_names(plan: PathPlan) -> list[Code]:
    names = []
    for index, holder in enumerate(plan.placeholders):
        name = naming.parameter_name(holder)
        if plan.placeholders.count(holder) > 1 or name in ("id", "param"):
            # /groups/{id}/members/{id}: name each id after the segment before it.
            segment = plan.literal_parts[index].rstrip("/").rsplit("/", 1)[-1]
            singular = re.sub(r"(ies)$", "y", re.sub(r"(?<!s)s$", "", segment.split("(")[0]))
            if singular and any(ch.isalpha() for ch in singular):
                name = naming.parameter_name(f"{singular}_{holder}" if holder != "id" else f"{singular}_id")
        names.append(name)
    return naming.unique(names)


def _operation_views(spec: ApiSpec, names: Names, models: dict[str, Model], sink: Sink) -> list[dict[str, Any]]:
    pages = [p for p in spec.pages if p.operation is not None]
    method_names = naming.unique([naming.method_name(p.operation.title) for p in pages])  # type: ignore[union-attr]
    views = []
    for page, method in zip(pages, method_names):
        views.append(_operation_view(page, page.operation, method, names, models, sink))  # type: ignore[arg-type]
    return views


def _operation_view(page: Page, op: Operation, method: Code, names: Names, models: dict[str, Model], sink: Sink) -> dict[str, Any]:
    path = op.paths[0]
    path_plan = split_path(path.path)
    params = _parameter_names(path_plan)
    response_ref = op.response.type if op.response else None
    response_model = None
    if response_ref is not None and response_ref.kind is TypeKind.NAMED and response_ref.name.lower() in names.classes and response_ref.name.lower() not in names.enums:
        response_model = response_ref.name.lower()
    status = op.response.status if op.response else None
    if path.path.endswith("/$value"):
        returns = "bytes"
    elif path.path.endswith("/$count"):
        returns = "count"
    elif status == 204 or (response_model is None and _no_body(op)):
        returns = "none"
    elif response_model and response_ref and response_ref.collection:
        returns = "collection"
    elif response_model:
        returns = "model"
    else:
        returns = "json"
    body_ref = op.request_body.type if op.request_body else None
    body_model = body_ref.name.lower() if body_ref is not None and body_ref.name.lower() in names.classes and body_ref.name.lower() not in names.enums else None
    has_body = path.method in ("POST", "PUT", "PATCH") and (op.request_body is not None or _examples_send_body(op))
    imports = {m for m in (response_model, body_model) if m}
    group_key = response_model or body_model
    group = names.modules[group_key] if group_key else naming.module_name(path_plan.literal_parts[0].strip("/").split("/")[0] or "root")
    view = {
        "name": method,
        "http_method": py(path.method),
        "path_parts": [py(p) for p in path_plan.literal_parts],
        "params": [{"name": n, "placeholder": py(h)} for n, h in zip(params, path_plan.placeholders)],
        "has_body": has_body,
        "body_class": names.classes[body_model] if body_model else None,
        "returns": Code(returns),
        "response_class": names.classes[response_model] if response_model else None,
        "imports": [{"module": names.modules[k], "class_name": names.classes[k]} for k in sorted(imports)],
        "expected": py(tuple(sorted({status} if status else set()))),
        "docstring": "\n\n".join(
            [op.title, op.description] + [f"{p.method} {p.path}" for p in op.paths]
        ),
        "source": comment(str(op.span)),
        "source_page": op.span.path,
        "group": group,
    }
    view["examples"] = _example_views(op, view, path_plan, params, names, models, sink)
    return view


def _no_body(op: Operation) -> bool:
    responses = [e.response for e in op.examples if e.response is not None]
    return bool(responses) and all(r.body.kind is BodyKind.NONE for r in responses)


def _examples_send_body(op: Operation) -> bool:
    return any(e.request.body.kind is not BodyKind.NONE for e in op.examples)


def _example_views(op, view, path_plan: PathPlan, params, names: Names, models, sink: Sink) -> list[dict[str, Any]]:
    result = []
    test_names = naming.test_names([e.name for e in op.examples], view["name"])
    for example, test_name in zip(op.examples, test_names):
        reason, plan = _example_plan(example, view, path_plan, names, models)
        if example.response is None:
            sink.report("DG404", example.span.path, example.span.line, f"example {example.name!r} has no response; not tested")
            continue
        if reason:
            sink.report("DG405", example.span.path, example.span.line, f"example {example.name!r} not tested: {reason}")
            continue
        stem = test_name.upper()
        plan.update(
            test_name=Code(f"test_{test_name}"),
            request_const=Code(f"REQUEST_{stem}"),
            response_const=Code(f"RESPONSE_{stem}"),
        )
        plan["call_body"] = _call_body(view, plan["request_const"])
        plan["response_content"] = Code(plan["response_content"].replace("RESPONSE_CONST", plan["response_const"]))
        result.append(plan)
    view["error_call"] = {
        "args": result[0]["args"] if result else [py(f"{p['placeholder'].strip(chr(39))}-value") for p in view["params"]],
        "call_body": result[0]["call_body"] if result else Code("{}"),
    }
    return result


def _call_body(view: dict[str, Any], const: Code) -> Code:
    if view["body_class"]:
        return Code(f"{view['body_class']}.from_dict({const})")
    return const


def _example_plan(example: Example, view, path_plan: PathPlan, names: Names, models) -> tuple[str, dict[str, Any]]:
    request, response = example.request, example.response
    if response is None:
        return "it has no response", {}
    if response.status is not None and not 200 <= response.status <= 299:
        return f"its response status {response.status} is not a success", {}
    if request.method != str(view["http_method"]).strip("'\""):
        return f"its method {request.method} is not the operation's", {}
    if "{" in request.url or "<" in request.url:
        return "its URL still holds a {placeholder}", {}
    for message in (request, response):
        if message.body.kind is BodyKind.JSON and message.body.json is None:
            return "its body is not valid JSON", {}
        if message.body.kind in (BodyKind.BINARY, BodyKind.TEXT) and view["returns"] not in ("bytes", "count"):
            return f"its {message.body.content_type or 'non-JSON'} body is not generated yet", {}
    split = urlsplit(request.url if "://" in request.url else "https://graph.microsoft.com" + request.url)
    match = path_plan.regex().search(split.path)
    if not match:
        return "its URL does not match the documented HTTP request path", {}
    if split.query:
        return "query strings in example URLs are not generated yet", {}
    base_url = f"{split.scheme}://{split.netloc}{split.path[: match.start()]}"
    body = request.body.json if request.body.kind is BodyKind.JSON else None
    if view["has_body"] and body is None:
        return "the operation takes a body but the example sends none", {}
    if not view["has_body"] and body is not None:
        return "the example sends a body the operation does not document", {}
    response_body = response.body.json if response.body.kind is BodyKind.JSON else None
    problem = _nonconforming(body, response_body, view, names, models)
    if problem:
        return problem, {}
    checks = []
    returns = view["returns"]
    if returns == "model":
        if not isinstance(response_body, dict):
            return "the documented response has no JSON object to parse", {}
        model = models.get(_key_for(names, view["response_class"]))
        checks = _attribute_checks(response_body, model, models, names) if model else []
    elif returns == "collection" and not (isinstance(response_body, dict) and isinstance(response_body.get("value"), list)):
        return "the documented collection response has no `value` list", {}
    elif returns == "none" and response_body is not None:
        return "the response has a body the operation does not document", {}
    if response.body.kind is BodyKind.JSON:
        content = Code("json.dumps(RESPONSE_CONST).encode()")
    else:
        content = Code(f"{py(response.body.text)}.encode()")
    return "", {
        "request_span": comment(str(request.span)),
        "response_span": comment(str(response.span)),
        "url": py(request.url.strip()),
        "base_url": py(base_url),
        "args": [py(v) for v in match.groups()],
        "request_literal": py(body),
        "status": response.status or 200,
        "response_literal": py(response_body),
        "response_content": content,
        "content_type": py(_content_type(response)),
        "checks": checks,
    }


_HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,200}$")  # what an HTTP header may carry as is


def _nonconforming(request_body: Any, response_body: Any, view, names: Names, models) -> str:
    """Why the documented bodies would not round-trip through their models ('' when they do)."""
    fields_of = lambda m: _all_fields(m, models)  # noqa: E731
    if view["body_class"] and isinstance(request_body, dict):
        problem = conform.mismatch(request_body, models.get(_key_for(names, view["body_class"])), models, names.enums, fields_of)
        if problem:
            return f"its request body does not fit the documented types ({problem})"
    response_model = models.get(_key_for(names, view["response_class"])) if view["response_class"] else None
    items = [response_body]
    if view["returns"] == "collection" and isinstance(response_body, dict) and isinstance(response_body.get("value"), list):
        items = response_body["value"]
    for item in items if view["returns"] in ("model", "collection") else ():
        problem = conform.mismatch(item, response_model, models, names.enums, fields_of)
        if problem:
            return f"its response does not fit the documented types ({problem})"
    return ""


def _content_type(response) -> str:
    for header in response.headers:
        if header.name.lower() == "content-type" and _HEADER_VALUE.match(header.value):
            return header.value
    return "application/json" if response.body.kind is BodyKind.JSON else "text/plain"


def _key_for(names: Names, class_name: Code | None) -> str:
    for key, cls in names.classes.items():
        if cls == class_name:
            return key
    return ""


_CHECKERS = {
    "String": lambda v: isinstance(v, str),
    "Guid": lambda v: isinstance(v, str),
    "Int32": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
}
_PARSERS = {"DateTimeOffset": (datetime, "datetime"), "Date": (date, "date"), "TimeOfDay": (time, "time")}


def _attribute_checks(body: dict[str, Any], model: Model, models: dict[str, Model], names: Names) -> list[dict[str, Code]]:
    """`result.<attr> == <value>` for the documented scalar values whose type the docs agree on."""
    attributes = field_attributes(model, models)
    types = {f.name: f.type for f in _all_fields(model, models)}
    checks = []
    if isinstance(body.get("@odata.type"), str):
        checks.append({"attribute": Code("odata_type"), "expected": py(body["@odata.type"])})
    for wire, value in body.items():
        ref = types.get(wire)
        if ref is None or ref.kind is not TypeKind.PRIMITIVE:
            continue
        items = value if ref.collection and isinstance(value, list) else [value]
        if ref.collection and not isinstance(value, list):
            continue
        if ref.name in _CHECKERS and all(_CHECKERS[ref.name](v) for v in items):
            checks.append({"attribute": attributes[wire], "expected": py(value)})
        elif ref.name in _PARSERS and not ref.collection and isinstance(value, str):
            kind, func = _PARSERS[ref.name]
            try:
                getattr(kind, "fromisoformat")(value)
            except ValueError:
                continue
            checks.append({"attribute": attributes[wire], "expected": Code(f"_{func}.fromisoformat({py(value)})")})
    return checks
