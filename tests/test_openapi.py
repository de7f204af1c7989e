"""`docgen export openapi`: the document's parts on the lint fixture set, deterministic bytes,
the corpus export validated by openapi-spec-validator, and a client generated from it by
openapi-python-client that imports."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.export.openapi import export_openapi
from docgen.lint import validated_specs
from docgen.plan.operations import operation_names

DOCS = Path(__file__).parent / "fixtures" / "lint" / "docs"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _export(root: Path) -> dict[str, str]:
    specs = validated_specs(Config(input=root), Sink())
    return export_openapi(specs, "https://graph.microsoft.com/v1.0", "test")


@pytest.fixture(scope="module")
def document():
    return json.loads(_export(DOCS)["openapi.v1.0.json"])


def test_schemas_inheritance_discriminator_enums_formats(document):
    schemas = document["components"]["schemas"]
    widget, gadget = schemas["microsoft.graph.widget"], schemas["microsoft.graph.gadget"]
    assert gadget["allOf"][0] == {"$ref": "#/components/schemas/microsoft.graph.widget"}
    assert widget["discriminator"] == {
        "propertyName": "@odata.type",
        "mapping": {
            "#microsoft.graph.gadget": "#/components/schemas/microsoft.graph.gadget",
            "#microsoft.graph.widget": "#/components/schemas/microsoft.graph.widget",
        },
    }
    assert schemas["microsoft.graph.color"]["enum"] == ["red", "blue"]
    assert widget["properties"]["size"] == {"description": "The size.", "format": "int32", "type": "integer"}
    assert widget["properties"]["color"] == {"$ref": "#/components/schemas/microsoft.graph.color"}
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "https://graph.microsoft.com/v1.0"}]


def test_operation_ids_are_the_generated_method_names(document):
    specs = validated_specs(Config(input=DOCS), Sink())
    validated = specs["v1.0"]
    expected = {str(name.call) for name in operation_names(validated, Sink())}
    got = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    # every page documents POST /widgets or /labels: the pages of POST /widgets (widget bodies) are
    # one method (DG140); those of /labels (no model) are named apart, the first page's exported
    assert got <= expected and "labels.create_802_bad" in got and "widgets.create" in got
    tags = {tuple(op["tags"]) for path in document["paths"].values() for op in path.values()}
    assert tags == {("labels",), ("widgets",)}  # each operation is tagged with its group


def test_examples_and_their_source_lines(document):
    post = document["paths"]["/widgets"]["post"]
    request = post["requestBody"]["content"]["application/json"]
    assert request["schema"] == {"$ref": "#/components/schemas/microsoft.graph.widget"}
    example = request["examples"]["create"]
    assert example["value"] == {"size": 3, "sizee": 4}
    assert example["x-docgen-source"] == "docs/v1.0/api/dg801-bad.md:33"  # the request line
    response = post["responses"]["201"]["content"]["application/json"]
    assert response["examples"]["create"]["value"]["@odata.type"] == "#microsoft.graph.gadget"
    labels = document["paths"]["/labels"]["post"]
    assert set(labels["responses"]) == {"204"} and "content" not in labels["responses"]["204"]
    assert labels["requestBody"]["content"]["application/json"]["schema"]["properties"]["label"]["type"] == "string"


def test_bytes_do_not_depend_on_file_order_or_runs(tmp_path):
    first = _export(DOCS)
    copy = tmp_path / "docs"
    shutil.copytree(DOCS, copy)
    for page in sorted(copy.rglob("*.md"), reverse=True):  # touch in another order
        page.write_bytes(page.read_bytes())
    second = {name: text.replace("docs/", "docs/") for name, text in _export(copy).items()}
    assert first == second


def test_cli_writes_one_file_per_version(tmp_path):
    out = tmp_path / "specs"
    result = CliRunner().invoke(main, ["export", "openapi", "--input", str(DOCS), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["openapi.v1.0.json"]


@pytest.fixture(scope="module")
def corpus_documents(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    out = tmp_path_factory.mktemp("openapi")
    for name, text in _export(CORPUS).items():
        (out / name).write_text(text, encoding="utf-8")
    return out


def test_corpus_export_is_valid_openapi(corpus_documents):
    validator = pytest.importorskip("openapi_spec_validator")
    files = sorted(corpus_documents.glob("openapi*.json"))
    assert [f.name for f in files] == ["openapi.beta.json", "openapi.json", "openapi.v1.0.json"]
    for file in files:
        validator.validate(json.loads(file.read_text()))


@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_openapi_python_client_generates_a_client_that_imports(corpus_documents, tmp_path, version):
    if importlib.util.find_spec("openapi_python_client") is None:
        pytest.skip("openapi-python-client is not installed")
    package = f"client_{version.replace('.', '_')}"
    out = tmp_path / package
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none"]
        + ["--path", str(corpus_documents / f"openapi.{version}.json"), "--output-path", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # every schema and every endpoint made it: the tool warns about each one it drops
    said = done.stdout + done.stderr
    assert "Unable to process schema" not in said and "WARNING parsing" not in said, said
    check = subprocess.run(
        [sys.executable, "-c", f"import {package}.client, {package}.models, {package}.api"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert len(list((out / "models").glob("*.py"))) > 50
