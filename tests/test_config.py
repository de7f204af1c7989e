"""`[tool.docgen]`: validated (unknown keys and wrong types are usage errors naming the key),
merged with command-line options, and documented in the README key by key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docgen.config import KEYS, Config, ConfigError, load_config
from docgen_helpers import ROOT, run_docgen

NO_OVERRIDES = {"input": None, "output": None, "templates": None, "package": None, "strict": None}


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.docgen]\n{table}\n", encoding="utf-8")
    return tmp_path


def test_unknown_key_is_named_with_the_valid_ones_exit_2(tmp_path: Path) -> None:
    project = _project(tmp_path, "input = 'pages'\noutptu = 'client'")
    for command in ("build", "check"):
        result = run_docgen(command, cwd=project)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "unknown key 'outptu' in [tool.docgen]" in result.stderr
        assert f"valid keys: {', '.join(sorted(KEYS))}" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (project / "client").exists() and not (project / "generated").exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("strict = 'yes'", "strict must be true or false"),
        ("strict = 1", "strict must be true or false"),
        ("input = 3", "input must be a string"),
        ("output = ['a', 'b']", "output must be a string"),
        ("templates = false", "templates must be a string"),
        ("package = 7", "package must be a string"),
        ("base-url = {}", "base-url must be a string"),
        ("package = 'my-client'", "package 'my-client' is not a valid Python package name"),
        ("base-url = 'graph.microsoft.com'", "must start with http:// or https://"),
        ("templates = 'no_such_folder'", "templates folder"),
    ],
)
def test_wrong_values_are_usage_errors(tmp_path: Path, table: str, message: str) -> None:
    project = _project(tmp_path, table)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(project, NO_OVERRIDES)
    result = run_docgen("build", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_not_a_table_and_broken_toml_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool]\ndocgen = 'yes'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[tool.docgen\] must be a table"):
        load_config(tmp_path, NO_OVERRIDES)
    (tmp_path / "pyproject.toml").write_text("[tool.docgen\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path, NO_OVERRIDES)


def test_paths_are_relative_to_pyproject_and_options_to_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    project = _project(
        tmp_path, "input = 'pages'\noutput = 'client'\ntemplates = 'mine'\nstrict = true\npackage = 'widgets'"
    )
    below = project / "sub" / "dir"
    below.mkdir(parents=True)
    config = load_config(below, NO_OVERRIDES)
    assert config == Config(
        input=project / "pages",
        output=project / "client",
        templates=project / "mine",
        package="widgets",
        strict=True,
    )
    overridden = load_config(below, NO_OVERRIDES | {"output": Path("out"), "strict": False})
    assert (overridden.output, overridden.strict, overridden.input) == (below / "out", False, project / "pages")
    (project / "pyproject.toml").write_text("[tool.docgen]\n", encoding="utf-8")
    defaults = load_config(below, NO_OVERRIDES)
    assert (defaults.input, defaults.output) == (project / "docs_input", project / "generated")


def test_no_pyproject_means_the_defaults(tmp_path: Path) -> None:
    if any((folder / "pyproject.toml").is_file() for folder in (tmp_path, *tmp_path.parents)):
        pytest.skip("a pyproject.toml above the temporary folder")
    assert load_config(tmp_path, NO_OVERRIDES) == Config(input=tmp_path / "docs_input", output=tmp_path / "generated")


def test_readme_table_documents_exactly_the_keys() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration: `[tool.docgen]`", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z-]+)` \|", section, re.MULTILINE)
    assert sorted(documented) == sorted(KEYS)
