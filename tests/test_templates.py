"""Template overrides: a folder of templates overlays the default set file by file. A copied and
edited template changes only the files made from it; a broken one is reported with its file
and line (DG601), exit 1, and the output folder is left as it was."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from docgen_helpers import ROOT, run_docgen

WIDGETS = ROOT / "tests" / "projects" / "widgets"
MODEL_TEMPLATE = ROOT / "templates" / "model.py.j2"
ADDED = "# Reviewed by the API team.\n"


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(WIDGETS, folder)
    result = run_docgen("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


def _user_template(project: Path, edit) -> Path:
    folder = project / "my_templates"
    folder.mkdir(exist_ok=True)
    lines = MODEL_TEMPLATE.read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / MODEL_TEMPLATE.name).write_text("".join(edit(lines)), encoding="utf-8")
    return folder


def test_an_edited_copy_changes_only_the_files_made_from_it(project: Path) -> None:
    assert _tree(project / "client")["widgets/v1_0/models/widget.py"].startswith("# Code generated")
    default = _tree(project / "client")
    _user_template(project, lambda lines: [lines[0], ADDED, *lines[1:]])  # just below the header

    result = run_docgen("build", "--templates", "my_templates", "--output", "custom", cwd=project)
    assert result.returncode == 0, result.stderr
    custom = _tree(project / "custom")
    assert custom.keys() == default.keys()
    # The manifest records the templates too: it changes with them, and so must it.
    changed = sorted(rel for rel in default if custom[rel] != default[rel] and rel != "docgen-manifest.txt")
    assert changed == ["widgets/v1_0/models/shelf.py", "widgets/v1_0/models/widget.py"]  # not the enum, not __init__
    for rel in changed:
        added = [
            line
            for line in difflib.ndiff(default[rel].splitlines(True), custom[rel].splitlines(True))
            if line[0] in "+-"
        ]
        assert added == ["+ " + ADDED]

    # The same overlay from [tool.docgen]; `check` sees the default build as out of date.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + 'templates = "my_templates"\n', encoding="utf-8")
    check = run_docgen("check", "--quiet", cwd=project)
    assert (check.returncode, check.stdout) == (1, "2 files out of date. Run `docgen build` to update.\n")
    assert run_docgen("build", cwd=project).returncode == 0
    assert _tree(project / "client") == custom


def test_a_syntax_error_is_reported_with_file_and_line_and_nothing_is_written(project: Path) -> None:
    before = _tree(project / "client")
    _user_template(project, lambda lines: [*lines[:2], "{% if %}\n", *lines[2:]])  # line 3
    for command in ("build", "check"):
        result = run_docgen(command, "--templates", "my_templates", cwd=project)
        assert result.returncode == 1, result.stdout
        errors = [line for line in result.stderr.splitlines() if "error[" in line]
        # one diagnostic for the template, not one per file made from it
        assert errors == [
            "my_templates/model.py.j2:3:1: error[DG601]: Expected an expression, got 'end of statement block'"
        ]
        assert "Traceback" not in result.stderr
    assert _tree(project / "client") == before


def test_a_rendering_error_names_the_template_line_and_the_file(project: Path) -> None:
    before = _tree(project / "client")
    _user_template(project, lambda lines: [*lines[:3], "{{ no_such_name }}\n", *lines[3:]])  # line 4
    result = run_docgen("build", "--templates", "my_templates", cwd=project)
    assert result.returncode == 1
    assert (
        "my_templates/model.py.j2:4:1: error[DG601]: 'no_such_name' is undefined (while generating widgets/v1_0/models/widget.py)"
        in result.stderr.splitlines()
    )
    assert _tree(project / "client") == before


def test_a_template_that_makes_invalid_python_is_reported_against_it(project: Path) -> None:
    before = _tree(project / "client")
    _user_template(project, lambda lines: [*lines, "def broken(:\n"])
    result = run_docgen("build", "--templates", "my_templates", cwd=project)
    assert result.returncode == 1
    assert "my_templates/model.py.j2:1:1: error[DG602]: widgets/v1_0/models/" in result.stderr
    assert _tree(project / "client") == before


def test_readme_lists_every_default_template() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Template overrides", 1)[1].split("\n## ", 1)[0]
    for template in sorted((ROOT / "templates").glob("*.j2")):
        assert f"`{template.name}`" in section, template.name
    from docgen.runtime import SHIPPED

    for template in SHIPPED.values():  # the templates that replace a shipped runtime module
        assert f"`{template}`" in section, template
