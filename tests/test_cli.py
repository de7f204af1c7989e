"""The command line as users and tools see it: exit codes (0 ok, 1 drift or errors, 2 usage),
diagnostics on stderr, `check` output (text, --quiet, capped diffs, JSON), help and version."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from docgen.cli import main
from docgen.speed.progress import ProgressBar, wanted
from docgen_helpers import ROOT, run_docgen

WIDGETS = ROOT / "tests" / "projects" / "widgets"
ROW = "|size|Int32|Size in centimetres.|\n"
DIAGNOSTIC = re.compile(r"^[^\s:][^:]*:\d+:\d+: (error|warning|note)\[DG\d{3}\]: \S.*$")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sample project (pages/ -> client/, package widgets), built once."""
    folder = tmp_path / "project"
    shutil.copytree(WIDGETS, folder)
    built = run_docgen("build", cwd=folder)
    assert built.returncode == 0, built.stderr
    return folder


def _edit_page(project: Path) -> None:
    page = project / "pages" / "v1.0" / "widget.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(ROW, ROW + "|roomNumber|String|Room.|\n"), encoding="utf-8"
    )


def _assert_stderr_is_diagnostics(stderr: str) -> None:
    """Nothing but diagnostics and `docgen:` messages; never a traceback."""
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert DIAGNOSTIC.match(line) or line.startswith("docgen: "), line


def test_exit_codes(project: Path) -> None:
    assert run_docgen("check", cwd=project).returncode == 0
    assert run_docgen("build", cwd=project).returncode == 0
    _edit_page(project)
    assert run_docgen("check", cwd=project).returncode == 1
    assert run_docgen("check", "--input", "nowhere", cwd=project).returncode == 1
    for usage in (
        ["check", "--no-such-option"],
        ["check", "--max-diff-lines", "-1"],
        ["check", "--format", "xml"],
        ["frobnicate"],
    ):
        result = run_docgen(*usage, cwd=project)
        assert result.returncode == 2, (usage, result.stderr)
        assert "Traceback" not in result.stderr


def test_build_exit_non_zero_on_change_fails_only_when_it_wrote(project: Path) -> None:
    assert run_docgen("build", "--exit-non-zero-on-change", cwd=project).returncode == 0
    _edit_page(project)
    changed = run_docgen("build", "--exit-non-zero-on-change", cwd=project)
    assert changed.returncode == 1
    assert "2 files written or removed in client" in changed.stdout  # the model and the manifest
    assert run_docgen("check", cwd=project).returncode == 0  # it did write
    assert run_docgen("build", "--exit-non-zero-on-change", cwd=project).returncode == 0


def test_diagnostics_are_sorted_lines_in_the_documented_format(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "golden" / "broken" / "docs_input", tmp_path / "docs_input")
    (tmp_path / "docs_input" / "empty.md").write_text("", encoding="utf-8")
    result = run_docgen("build", "--output", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # warnings only
    lines = result.stderr.splitlines()
    assert len(lines) >= 5
    assert all(DIAGNOSTIC.match(line) for line in lines), lines
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert keys == sorted(keys)
    assert "docs_input/empty.md:1:1: warning[DG004]: " in result.stderr
    strict = run_docgen("build", "--output", "out2", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert not (tmp_path / "out2").exists()


BAD_INPUTS = {
    "missing input folder": ({}, ["build", "--input", "nowhere"], 1),
    "input is a file": ({"file.md": "# x\n"}, ["build", "--input", "file.md"], 1),
    "binary page": ({"in/x.md": b"\x00\x01\x02\xff" * 64}, ["build", "--input", "in"], 0),
    "invalid UTF-8 page": ({"in/x.md": b"# caf\xe9 resource type\n"}, ["check", "--input", "in"], 1),
    "output is a file": ({"in/x.md": "# x\n", "out": "mine\n"}, ["build", "--input", "in", "--output", "out"], 1),
    "unreadable TOML": ({"pyproject.toml": "[tool.docgen\n"}, ["build"], 2),
    "tool.docgen not a table": ({"pyproject.toml": "[tool]\ndocgen = 3\n"}, ["check"], 2),
    "unknown key": ({"pyproject.toml": "[tool.docgen]\noutptu = 'x'\n"}, ["build"], 2),
    "wrong type": ({"pyproject.toml": "[tool.docgen]\nstrict = 'yes'\n"}, ["build"], 2),
    "bad package name": ({}, ["build", "--package", "my-client"], 2),
    "missing templates folder": ({}, ["build", "--templates", "nowhere"], 2),
    "broken template": (
        {"in/x.md": "# x\n", "t/conftest.py.j2": "{% for %}\n"},
        ["build", "--input", "in", "--templates", "t"],
        1,
    ),
    "parse a binary file": ({"x.md": b"\x00" * 10}, ["parse", "x.md"], 0),
    "parse a missing file": ({}, ["parse", "nowhere.md"], 2),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_never_prints_a_traceback(case: str, tmp_path: Path) -> None:
    files, args, status = BAD_INPUTS[case]
    for rel, content in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if "pyproject.toml" not in files:
        (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")  # stop the search for one here
    result = run_docgen(*args, cwd=tmp_path)
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    if args[0] != "parse" and status != 2:
        _assert_stderr_is_diagnostics(result.stderr)
    if status == 2:
        assert result.stderr.strip(), "a usage error says what is wrong"


def test_check_names_each_file_with_its_pages_and_shows_the_diff(project: Path) -> None:
    _edit_page(project)
    (project / "client" / "widgets" / "v1_0" / "models" / "shelf.py").unlink()
    old = "# Code generated by docgen from pages/v1.0/old.md. DO NOT EDIT.\nx = 1\n"
    (project / "client" / "widgets" / "v1_0" / "models" / "old.py").write_text(old, encoding="utf-8")
    (project / "client" / "widgets" / "v1_0" / "operations" / "__init__.py").write_text("# mine\n", encoding="utf-8")
    result = run_docgen("check", "--max-diff-lines", "0", cwd=project)
    assert result.returncode == 1
    out = result.stdout
    assert "client/widgets/v1_0/models/widget.py is out of date (from pages/v1.0/widget.md)\n" in out
    assert "+    room_number: str | None" in out
    assert "client/widgets/v1_0/models/shelf.py is missing (from pages/v1.0/shelf.md)\n" in out
    assert (
        "client/widgets/v1_0/models/old.py is stale: no page produces it now (it came from pages/v1.0/old.md)\n" in out
    )
    assert (
        "client/widgets/v1_0/operations/__init__.py has no docgen header and is in the way (docgen makes it from pages)\n"
        in out
    )
    assert out.endswith("4 files out of date. Run `docgen build` to update.\n")
    assert "not shown" not in out
    assert result.stderr == ""

    report = json.loads(run_docgen("check", "--format", "json", cwd=project).stdout)
    assert report["format"] == "docgen-check" and report["version"] == 1
    assert report["status"] == 1 and report["output"] == "client"
    assert report["files"] == [
        {"path": "client/widgets/v1_0/models/old.py", "state": "stale", "sources": ["pages/v1.0/old.md"]},
        {"path": "client/widgets/v1_0/models/shelf.py", "state": "missing", "sources": ["pages/v1.0/shelf.md"]},
        {"path": "client/widgets/v1_0/models/widget.py", "state": "changed", "sources": ["pages/v1.0/widget.md"]},
        {"path": "client/widgets/v1_0/operations/__init__.py", "state": "blocked", "sources": ["pages"]},
    ]
    assert report["diagnostics"] == []
    assert report["counts"] == {
        "blocked": 1,
        "changed": 1,
        "errors": 0,
        "missing": 1,
        "notes": 0,
        "stale": 1,
        "warnings": 0,
    }


def test_check_caps_the_diff_and_counts_what_it_left_out(project: Path) -> None:
    shutil.rmtree(project / "client")
    full = run_docgen("check", "--max-diff-lines", "0", cwd=project).stdout.splitlines()
    headlines = [line for line in full if line.startswith("client/") and " (from " in line]
    diff_lines = len(full) - len(headlines) - 1  # the summary line
    assert diff_lines > 1000
    capped = run_docgen("check", "--max-diff-lines", "7", cwd=project)
    assert capped.returncode == 1
    lines = capped.stdout.splitlines()
    assert [line for line in lines if line.startswith("client/") and " (from " in line] == headlines
    assert (
        lines[-2]
        == f"{diff_lines - 7} diff lines in {len(headlines)} files not shown (--max-diff-lines 7; 0 shows them all)"
    )
    assert lines[-1] == f"{len(headlines)} files out of date. Run `docgen build` to update."
    default = run_docgen("check", cwd=project).stdout.splitlines()
    assert f"{diff_lines - 200} diff lines in" in default[-2]


def test_check_quiet_prints_the_summary_line_and_errors_only(project: Path) -> None:
    _edit_page(project)
    quiet = run_docgen("check", "--quiet", cwd=project)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (
        1,
        "1 file out of date. Run `docgen build` to update.\n",
        "",
    )
    (project / "pages" / "v1.0" / "bad.md").write_text(
        "# bad resource type\n\n## Properties\n|Property|Type|\n|---|---|\n|a|\n"
    )
    warned = run_docgen("check", "-q", cwd=project)
    assert warned.stderr == "" and warned.returncode == 1
    warnings = run_docgen("check", cwd=project).stderr
    assert warnings.startswith("pages/v1.0/bad.md:") and "warning[" in warnings
    strict = run_docgen("check", "-q", "--strict", cwd=project)
    assert (strict.returncode, strict.stderr) == (1, warnings)
    assert re.search(r"\. \d+ warnings? fails? the check under --strict\.\n$", strict.stdout), strict.stdout
    errors = run_docgen("check", "-q", "--input", "nowhere", cwd=project)
    assert errors.returncode == 1
    assert errors.stderr.endswith(": error[DG001]: the input folder does not exist\n")
    assert errors.stdout == "1 error: `docgen build` would fail; fix them, then run `docgen check` again.\n"


def test_check_json_reports_diagnostics_and_no_files_when_generation_failed(project: Path) -> None:
    (project / "t").mkdir()
    (project / "t" / "model.py.j2").write_text("{{ header }}\n{{ nope }}\n", encoding="utf-8")
    result = run_docgen("check", "--format", "json", "--templates", "t", cwd=project)
    assert result.returncode == 1 and result.stderr == ""
    report = json.loads(result.stdout)
    assert report["status"] == 1 and report["files"] == []
    assert report["counts"]["errors"] == 2  # one per model rendered with it
    first = report["diagnostics"][0]
    assert {k: first[k] for k in ("path", "line", "col", "severity", "code")} == {
        "path": "t/model.py.j2",
        "line": 2,
        "col": 1,
        "severity": "error",
        "code": "DG601",
    }
    assert "'nope' is undefined (while generating widgets/v1_0/models/shelf.py)" in first["message"]
    clean = json.loads(run_docgen("check", "--format", "json", cwd=project).stdout)
    assert (clean["status"], clean["files"], clean["diagnostics"]) == (0, [], [])


def test_version_is_the_package_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for flag in ("--version", "-V"):
        result = run_docgen(flag)
        assert (result.returncode, result.stdout) == (0, f"docgen, version {version}\n")


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help_of_every_command_has_an_example(command: str | None) -> None:
    args = [command, "--help"] if command else ["--help"]
    result = run_docgen(*filter(None, args))
    assert result.returncode == 0
    assert "Examples:\n" in result.stdout
    assert re.search(rf"^ +docgen {command or 'build'}\b", result.stdout, re.MULTILINE), result.stdout


def test_readme_documents_every_option() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"docgen {name}" in readme
        for param in command.params:
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{name} {opt} is not in the README"


class _Terminal:
    """A stand-in for a terminal's stderr."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_outside_ci() -> None:
    terminal = _Terminal()
    assert wanted(terminal, {})
    assert wanted(terminal, {"CI": "false"})
    assert not wanted(terminal, {"CI": "true"})
    assert not wanted(open(os.devnull, "w"), {})


def test_progress_bar_draws_each_stage_for_large_inputs_only() -> None:
    terminal = _Terminal()
    bar = ProgressBar(terminal, min_pages=3)
    for stage, total in (("read", 4), ("render", 2)):
        for done in range(total + 1):
            bar(stage, done, total)
    assert "reading pages" in terminal.text and "generating files" in terminal.text
    assert "100%" in terminal.text
    small = _Terminal()
    bar = ProgressBar(small, min_pages=3)
    for stage, total in (("read", 2), ("render", 9)):
        for done in range(total + 1):
            bar(stage, done, total)
    assert small.text == ""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_build_of_many_pages_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(250):
        (pages / f"concept{n:03}.md").write_text(f"---\ndoc_type: conceptualPageType\n---\n# Concept {n}\n\nText.\n")
    (tmp_path / "pyproject.toml").write_text("[tool.docgen]\ninput = 'pages'\noutput = 'out'\n", encoding="utf-8")

    def stderr_on_a_terminal(env: dict[str, str]) -> str:
        master, slave = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "docgen", "build"],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=slave,
            env=env,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        assert process.wait(timeout=300) == 0
        return b"".join(chunks).decode("utf-8", "replace")

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    assert "reading pages" in stderr_on_a_terminal(env)
    assert "reading pages" not in stderr_on_a_terminal(env | {"CI": "true"})
    piped = run_docgen("build", cwd=tmp_path, env={"CI": ""})
    assert piped.returncode == 0 and "reading pages" not in piped.stderr
