"""An OpenAPI 3.1 document per API version, from the same linked and validated IR the client is
planned from: operationIds are the generated calls (`users.get`, `plan.operations.operation_names`), tagged by group,
schemas are the models and enums, examples carry their page and line (`x-docgen-source`).

Deterministic: the document is a plain JSON value written with sorted keys; lists keep the
documented order (paths, members, examples), nothing depends on time or machine."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from docgen.diagnostics import Sink
from docgen.ir import (
    BodyKind,
    Enum,
    Example,
    Model,
    ModelOrigin,
    Operation,
    ParamLocation,
    Span,
    TypeKind,
    TypeRef,
)
from docgen.link import ODATA_TYPE, TypeIndex
from docgen.lint.shapes import derived_types, key_of
from docgen.paths import split_path
from docgen.plan.operations import (
    NOT_PARAMETERS,
    QUERY_OPTIONS,
    operation_names,
)
from docgen.plan.placement import Placement
from docgen.validate import CheckedOperation, ResultKind, ValidatedSpec

_EDM: dict[str, dict[str, Any]] = {
    "String": {"type": "string"},
    "Int32": {"type": "integer", "format": "int32"},
    "Int64": {"type": "integer", "format": "int64"},
    "Boolean": {"type": "boolean"},
    "DateTimeOffset": {"type": "string", "format": "date-time"},
    "Date": {"type": "string", "format": "date"},
    "TimeOfDay": {"type": "string", "format": "time"},
    "Duration": {"type": "string", "format": "duration"},
    "Guid": {"type": "string", "format": "uuid"},
    "Double": {"type": "number", "format": "double"},
    "Single": {"type": "number", "format": "float"},
    "Binary": {"type": "string", "format": "byte", "contentEncoding": "base64"},
    "Stream": {"type": "string", "format": "binary"},
    "Json": {},
}
_OPTION_SCHEMAS = {"top": {"type": "integer"}, "skip": {"type": "integer"}, "count": {"type": "boolean"}}


def schema_name(model: Model | Enum) -> str:
    """The components.schemas key of a type (the identity helper: namespace + name)."""
    return f"{model.namespace}.{model.name}"


def document_name(version: str) -> str:
    return f"openapi.{version}.json" if version else "openapi.json"


def export_openapi(specs: dict[str, ValidatedSpec], base_url: str, title: str) -> dict[str, str]:
    """File name -> document text, one per API version."""
    result = {}
    for version, validated in sorted(specs.items()):
        document = _Exporter(validated, Placement("graph_client", version).base_url(base_url)).document(title, version)
        result[document_name(version)] = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return result


class _Exporter:
    def __init__(self, validated: ValidatedSpec, server: str) -> None:
        self.validated = validated
        self.index: TypeIndex = validated.index
        self.server = server
        self.enums = {key_of(e): e for e in validated.spec.enums}
        self.derived = derived_types(self.index.models)

    def document(self, title: str, version: str) -> dict[str, Any]:
        checked = list(self.validated.operations)
        merged = self.validated.merged
        names = operation_names(self.validated, Sink())  # DG501 is the build's to report
        # a merged call is one operation: its leader's, typed by the common bases
        leaders = {call.members[0]: call for call in merged}
        others = {i for call in merged for i in call.members[1:]}
        paths: dict[str, dict[str, Any]] = {}
        taken: set[str] = set()
        for position, (item, name) in enumerate(zip(checked, names)):
            if position in others:
                continue
            call = leaders.get(position)
            if call is not None:
                item = replace(item, shape=replace(item.shape, body_model=call.body, response_model=call.response))
            self._operation(item, item.operation, str(name.call), paths, taken, str(name.group.accessor))
        return {
            "openapi": "3.1.0",
            "info": {
                "title": title,
                "version": version or "unversioned",
                "description": "Exported by docgen from the API reference pages; each operation and example "
                "names its page in x-docgen-source.",
            },
            "servers": [{"url": self.server}],
            "paths": paths,
            "components": {"schemas": self._schemas()},
        }

    # operations -------------------------------------------------------------------------

    def _operation(
        self,
        item: CheckedOperation,
        op: Operation,
        name: str,
        paths: dict[str, dict[str, Any]],
        taken: set[str],
        group: str,
    ) -> None:
        number = 0
        for documented in op.paths:
            plan = split_path(documented.path.split("?", 1)[0])
            template = "".join(
                part + (f"{{{plan.names[i]}}}" if i < len(plan.names) else "")
                for i, part in enumerate(plan.literal_parts)
            )
            if not template.startswith("/"):
                template = "/" + template
            method = documented.method.lower()
            if method in paths.get(template, {}):
                continue  # another page documents this path and method first
            number += 1
            operation_id = name if number == 1 else f"{name}_{number}"
            while operation_id in taken:
                operation_id += "_"
            taken.add(operation_id)
            entry: dict[str, Any] = {
                "operationId": operation_id,
                "tags": [group],
                "summary": op.title,
                "description": op.description,
                "x-docgen-source": str(documented.span),
                "parameters": self._parameters(op, plan.names, plan.placeholders),
                "responses": self._responses(item, op),
            }
            body = self._request_body(item, op) if method in ("post", "put", "patch") else None
            if body is not None:
                entry["requestBody"] = body
            paths.setdefault(template, {})[method] = entry

    def _parameters(self, op: Operation, names: tuple[str, ...], holders: tuple[str, ...]) -> list[dict[str, Any]]:
        documented = {p.name.lower(): p for p in op.parameters}
        result = []
        for name, holder in zip(names, holders):
            row = documented.get(holder.lower())
            schema = self._type(row.type) if row is not None and row.type.kind is TypeKind.PRIMITIVE else None
            result.append(
                {
                    "name": str(name),
                    "in": "path",
                    "required": True,
                    "schema": schema or {"type": "string"},
                    "description": (row.description if row else "") or f"The {{{holder}}} of the documented path.",
                }
            )
        for option in op.query_options:
            if option in QUERY_OPTIONS:
                schema = _OPTION_SCHEMAS.get(option, {"type": "string"})
                result.append({"name": f"${option}", "in": "query", "required": False, "schema": schema})
        for row in op.parameters:
            if row.location is ParamLocation.QUERY and not row.name.startswith("$"):
                result.append(
                    {"name": row.name, "in": "query", "required": False, "schema": self._type(row.type)}
                    | ({"description": row.description} if row.description else {})
                )
        seen = set()
        for header in op.headers:
            wire = header.name.rstrip(":").strip()
            if wire.lower() in NOT_PARAMETERS or wire.lower() in seen or not wire:
                continue
            seen.add(wire.lower())
            result.append(
                {"name": wire, "in": "header", "required": False, "schema": {"type": "string"}}
                | ({"description": header.description} if header.description else {})
            )
        unique: dict[tuple[str, str], dict[str, Any]] = {}
        for parameter in result:
            unique.setdefault((parameter["in"], parameter["name"].lower()), parameter)
        return list(unique.values())

    def _request_body(self, item: CheckedOperation, op: Operation) -> dict[str, Any] | None:
        if not item.shape.takes_body:
            return None
        model = item.shape.body_model
        if model is not None and key_of(model) not in self.index.placeholders:
            schema: dict[str, Any] = self._ref(model)
        elif op.request_body is not None and op.request_body.fields:
            schema = self._object_schema(op.request_body.fields)
        else:
            schema = {}
        media: dict[str, Any] = {"schema": schema}
        examples = {
            e.name: _example(e, e.request.body.json, e.request.span)
            for e in op.examples
            if e.request.body.kind is BodyKind.JSON and e.request.body.json is not None
        }
        if examples:
            media["examples"] = examples
        return {"required": True, "content": {"application/json": media}}

    def _responses(self, item: CheckedOperation, op: Operation) -> dict[str, Any]:
        status = str(op.response.status if op.response and op.response.status else _default_status(item))
        shape = item.shape
        media: dict[str, Any] | None
        content_type = "application/json"
        if shape.result is ResultKind.NONE:
            media = None
        elif shape.result is ResultKind.BYTES:
            content_type, media = "application/octet-stream", {"schema": {"type": "string", "format": "binary"}}
        elif shape.result is ResultKind.COUNT:
            content_type, media = "text/plain", {"schema": {"type": "integer"}}
        elif shape.result is ResultKind.PAGER and shape.response_model is not None:
            media = {
                "schema": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "array", "items": self._ref(shape.response_model)},
                        "@odata.nextLink": {"type": "string"},
                        "@odata.context": {"type": "string"},
                    },
                }
            }
        elif shape.result is ResultKind.MODEL and shape.response_model is not None:
            media = {"schema": self._ref(shape.response_model)}
        else:
            media = {"schema": {}}
        responses: dict[str, Any] = {status: {"description": f"Documented response {status}."}}
        if media is not None:
            responses[status]["content"] = {content_type: media}
        for example in op.examples:
            response = example.response
            if response is None or response.body.kind is not BodyKind.JSON or response.body.json is None:
                continue
            code = str(response.status)
            entry = responses.setdefault(code, {"description": f"Response {code}, as an example shows."})
            target = entry.setdefault("content", {}).setdefault("application/json", {"schema": {}})
            target.setdefault("examples", {})[example.name] = _example(example, response.body.json, response.span)
        return responses

    # schemas ----------------------------------------------------------------------------

    def _schemas(self) -> dict[str, Any]:
        schemas: dict[str, Any] = {}
        for model in self.validated.spec.models:
            schemas[schema_name(model)] = self._model_schema(model)
        for enum in self.validated.spec.enums:
            schemas[schema_name(enum)] = {
                "type": "string",
                "enum": [m.name for m in enum.members],
                "description": enum.description or f"The {enum.name} enum.",
                "x-docgen-source": str(enum.span),
            }
        return schemas

    def _model_schema(self, model: Model) -> dict[str, Any]:
        if model.origin is ModelOrigin.PLACEHOLDER:
            # a model no page defines: an open object (derived schemas can still take allOf of it)
            return {
                "type": "object",
                "additionalProperties": True,
                "description": f"{model.name}: used by the pages, defined by none of them.",
            }
        own = self._object_schema(model.fields)
        derived = self.derived.get(key_of(model), ())
        if derived:
            own.setdefault("properties", {})[ODATA_TYPE] = {"type": "string"}
            own["discriminator"] = {
                "propertyName": ODATA_TYPE,
                "mapping": {f"#{m.odata_type}": f"#/components/schemas/{schema_name(m)}" for m in (model, *derived)},
            }
        base = self.index.models.get(model.base.lower()) if model.base else None
        schema = {"allOf": [self._ref(base), own]} if base is not None else own
        schema["description"] = model.description or model.name
        schema["x-docgen-source"] = str(model.span)
        return schema

    def _object_schema(self, fields: tuple[Any, ...]) -> dict[str, Any]:
        properties = {}
        for field in fields:
            if field.name == ODATA_TYPE:
                continue
            schema = self._type(field.type)
            if field.description:
                schema = {"description": field.description, **schema} if "$ref" not in schema else schema
            properties[field.name] = schema
        return {"type": "object", "properties": properties}

    def _type(self, ref: TypeRef) -> dict[str, Any]:
        if ref.kind is TypeKind.PRIMITIVE:
            inner = dict(_EDM.get(ref.name, {}))
        elif ref.kind is TypeKind.NAMED and self.index.key(ref) in self.enums:
            inner = self._ref(self.enums[self.index.key(ref)])
        elif ref.kind is TypeKind.NAMED and self.index.model(ref) is not None:
            inner = self._ref(self.index.model(ref))  # type: ignore[arg-type]
        else:
            inner = {}
        return {"type": "array", "items": inner} if ref.collection else inner

    def _ref(self, target: Model | Enum) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{schema_name(target)}"}


def _default_status(item: CheckedOperation) -> int:
    return 204 if item.shape.result is ResultKind.NONE else 201 if item.shape.method == "POST" else 200


def _example(example: Example, value: Any, span: Span) -> dict[str, Any]:
    return {"summary": example.name, "value": value, "x-docgen-source": str(span)}
