"""`docgen lint`: a page that triggers each check and one that does not (tests/fixtures/lint/docs,
pages named after the code they are about), the output formats (SARIF validated against the
official 2.1.0 schema), suppressions, --changed-since, and the page cache."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen import pipeline
from docgen.cli import main
from docgen.config import Config
from docgen.diagnostics import CODES
from docgen.lint import lint
from docgen.lint.formats import FORMATS

DOCS = Path(__file__).parent / "fixtures" / "lint" / "docs"
SCHEMA = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"
LINT_CODES = ["DG801", "DG802", "DG803", "DG804", "DG805", "DG806", "DG807", "DG808", "DG809", "DG810", "DG811"]


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOCGEN_CACHE_DIR", str(cache))
        result = lint(Config(input=DOCS))
    by_page: dict[str, set[str]] = {}
    for d in result.findings:
        by_page.setdefault(d.path.rsplit("/", 1)[-1], set()).add(d.code)
    return result, by_page


@pytest.mark.parametrize("code", LINT_CODES)
def test_each_check_fires_on_its_bad_page_only(findings, code):
    _, by_page = findings
    assert code in by_page.get(f"{code.lower()}-bad.md", set())
    good = DOCS / "v1.0" / "api" / f"{code.lower()}-good.md"
    if good.exists():
        assert code not in by_page.get(good.name, set())
    # and no other page of the fixture set trips it (a suppression without a reason keeps its DG808)
    allowed = {f"{code.lower()}-bad.md"} | ({"dg810-bad.md"} if code == "DG808" else set())
    assert {page for page, codes in by_page.items() if code in codes} <= allowed


def test_findings_say_where_and_what_to_change(findings):
    result, _ = findings
    by_code = {d.code: d for d in result.findings}
    assert by_code["DG801"].line == 38 and by_code["DG801"].col == 4  # the key's own line and column
    assert "'sizee'" in by_code["DG801"].message and "add a row" in by_code["DG801"].message
    assert "'green'" in by_code["DG803"].message and "red, blue" in by_code["DG803"].message
    assert "write it as '../resources/widget.md'" in by_code["DG809"].message
    assert by_code["DG806"].message.count("#microsoft.graph.gadget") >= 1
    # the suppression with a reason hid its DG808; the one without hides nothing
    assert result.suppressed == 1
    assert not any(d.code == "DG808" and d.path.endswith("dg810-good.md") for d in result.findings)


def test_every_lint_code_is_documented():
    for code in LINT_CODES:
        assert code in CODES


def _docset(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    shutil.copytree(DOCS, root)
    return root


def test_lint_reports_what_the_other_stages_find(tmp_path, monkeypatch):
    """Rows docgen cannot read (extract) and examples not tested (validate) are findings too."""
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    root = _docset(tmp_path)
    page = root / "v1.0" / "resources" / "widget.md"
    page.write_text(page.read_text() + "| ragged | String | two | three | four |\n")
    bad = root / "v1.0" / "api" / "dg801-good.md"
    bad.write_text(bad.read_text().replace('"size": 3\n}\n```\n\n### Response', '"size": "3"\n}\n```\n\n### Response'))
    codes = {(d.path.rsplit("/", 1)[-1], d.code) for d in lint(Config(input=root)).findings}
    assert ("widget.md", "DG120") in codes
    assert ("dg801-good.md", "DG405") in codes  # not tested: its request body does not fit
    assert ("dg801-good.md", "DG803") in codes


def test_sarif_validates_against_the_official_schema(findings):
    jsonschema = pytest.importorskip("jsonschema")
    result, _ = findings
    document = json.loads(FORMATS["sarif"](result, 0))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(document)
    run = document["runs"][0]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == set(CODES)
    first = run["results"][0]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    broken = dict(document, version="2.0")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(broken)


def test_github_and_json_formats(findings):
    result, _ = findings
    lines = FORMATS["github"](result, 0).splitlines()
    # the first warning (the fixture pages' calls merged give a DG140 note first)
    warning = next(line for line in lines if line.startswith("::warning "))
    assert warning.startswith("::warning file=") and ",line=" in warning and ",title=DG" in warning
    assert any(line.startswith("::notice ") for line in lines)  # DG811 is a note
    document = json.loads(FORMATS["json"](result, 0))
    assert document["format"] == "docgen-lint" and document["counts"]["suppressed"] == 1
    assert {"path", "line", "col", "severity", "code", "message"} <= set(document["findings"][0])


def test_cli_exit_status_strict_and_pages(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    runner = CliRunner()
    result = runner.invoke(main, ["lint", str(DOCS)])
    assert result.exit_code == 0, result.output  # warnings only
    assert runner.invoke(main, ["lint", "--strict", str(DOCS)]).exit_code == 1
    one = runner.invoke(main, ["lint", "--format", "json", "--input", str(DOCS), str(DOCS / "v1.0/api/dg809-bad.md")])
    document = json.loads(one.output)
    # linked against its folder, its own findings reported alone (DG501: the fixture pages' similar
    # titles give colliding method names under the REST naming rule)
    assert {f["code"] for f in document["findings"]} - {"DG501"} == {"DG809"}
    assert {f["path"] for f in document["findings"]} == {f["path"] for f in document["findings"][:1]}
    assert document["counts"]["pages"] == 1


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_reports_only_changed_pages_linked_against_all(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    root = _docset(tmp_path)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "pages")
    changed = root / "v1.0" / "api" / "dg808-good.md"
    changed.write_text(changed.read_text() + "\nSee [gadget](../resources/gadget.md) and [x](../resources/gone.md).\n")
    new = root / "v1.0" / "api" / "new.md"
    new.write_text("# New\n\nSee [widget](../resources/WIDGET.md).\n")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["lint", "--format", "json", "--changed-since", "HEAD", "docs"])
    document = json.loads(out.output)
    pages = {(f["path"].rsplit("/", 1)[-1], f["code"]) for f in document["findings"]}
    assert ("dg808-good.md", "DG808") in pages and ("new.md", "DG809") in pages
    assert {page for page, _ in pages} <= {"dg808-good.md", "new.md"}
    assert document["counts"]["pages"] == 2
    bad = CliRunner().invoke(main, ["lint", "--changed-since", "no-such-ref", "docs"])
    assert bad.exit_code == 2 and "git" in bad.output


def test_a_repeat_run_parses_nothing(tmp_path, monkeypatch):
    """The pages come from the page cache, as build's and check's do."""
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    first = lint(Config(input=DOCS))

    def no_parsing(job):
        raise AssertionError(f"parsed {job[1]} again")

    monkeypatch.setattr(pipeline, "_extract", no_parsing)
    monkeypatch.setattr("docgen.speed.parallel.worker_count", lambda: 1)
    assert lint(Config(input=DOCS)) == first
