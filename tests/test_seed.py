"""The seed page end to end: the committed tree, the generated tests, and that they can fail."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from docgen_helpers import ROOT, run_docgen, run_pytest

SEED = ROOT / "docs_input" / "cartToClassAssociation-create.md"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "cartToClassAssociation-create.md"


def test_docs_input_holds_the_seed_byte_for_byte() -> None:
    if not SHARED_SEED.is_file():
        pytest.skip("../shared/seed is not present")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_committed_tree_is_up_to_date() -> None:
    result = run_docgen("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_committed_tree_is_black_formatted() -> None:
    import black

    mode = black.Mode()
    for path in sorted((ROOT / "generated").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert black.format_str(text, mode=mode) == text, path


def test_generated_tests_pass_from_another_folder(tmp_path: Path) -> None:
    result = run_pytest(ROOT / "generated", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


def _build(tmp_path: Path, name: str, seed: int = 0) -> Path:
    out = tmp_path / name
    result = run_docgen("build", "--output", out, env={"PYTHONHASHSEED": str(seed)})
    assert result.returncode == 0, result.stderr
    return out


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_builds_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    first = _tree(_build(tmp_path, "a", seed=1))
    second = _tree(_build(tmp_path, "b", seed=987))
    assert first == second
    assert first == _tree(ROOT / "generated")


@pytest.mark.parametrize(
    ("target", "old", "new"),
    [
        # the client posts to another path
        (
            "graph_client/operations/cart_to_class_associations.py",
            '"/deviceManagement/cartToClassAssociations"',
            '"/deviceManagement/cartToClassAssociation"',
        ),
        # the client uses another method
        ("graph_client/operations/cart_to_class_associations.py", '"POST",', '"PUT",'),
        # the client drops deviceCartIds from what it sends
        (
            "graph_client/operations/cart_to_class_associations.py",
            "json_body=_rt.dump_body(body),",
            'json_body={k: v for k, v in _rt.dump_body(body).items() if k != "deviceCartIds"},',
        ),
        # the model puts the field on the wire under another name
        ("graph_client/models/cart_to_class_association.py", 'alias="deviceCartIds"', 'alias="deviceCartIDs"'),
    ],
    ids=["wrong-path", "wrong-method", "dropped-field", "wrong-wire-name"],
)
def test_generated_tests_fail_for_a_wrong_client(tmp_path: Path, target: str, old: str, new: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(ROOT / "generated", out, ignore=shutil.ignore_patterns("__pycache__"))
    path = out / target
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = run_pytest(out, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "test_create_carttoclassassociation_from " in result.stdout or "failed" in result.stdout


def test_added_property_shows_in_check_then_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs_input", project / "docs_input")
    shutil.copytree(ROOT / "generated", project / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    page = project / "docs_input" / SEED.name
    text = page.read_text(encoding="utf-8")
    row = "|classroomIds|String collection|Identifiers of classrooms to be associated with device carts.|\n"
    assert row in text
    page.write_text(text.replace(row, row + "|roomNumber|String|Room.|\n"), encoding="utf-8")

    check = run_docgen("check", cwd=project)
    assert check.returncode == 1
    assert "room_number" in check.stdout
    assert "+    room_number: str | None" in check.stdout
    assert "(from docs_input/cartToClassAssociation-create.md)" in check.stdout
    assert "docgen build" in check.stdout

    assert run_docgen("build", cwd=project).returncode == 0
    assert run_docgen("check", cwd=project).returncode == 0
    model = (project / "generated/graph_client/models/cart_to_class_association.py").read_text()
    assert 'room_number: str | None = Field(\n        default=None,\n        validation_alias="roomNumber",' in model

    page.unlink()
    (project / "generated" / "notes.txt").write_text("mine\n")
    rebuilt = run_docgen("build", cwd=project)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "warning[DG005]" in rebuilt.stderr
    assert not (project / "generated/graph_client/models/cart_to_class_association.py").exists()
    assert not (project / "generated/tests/test_cart_to_class_association_create.py").exists()
    assert (project / "generated" / "notes.txt").read_text() == "mine\n"


@pytest.fixture(scope="module")
def model_class():
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "generated"))
    try:
        module = importlib.import_module("graph_client.models.cart_to_class_association")
        yield module.CartToClassAssociation
    finally:
        sys.path.remove(str(ROOT / "generated"))


def _documented_bodies() -> list[dict]:
    text = SEED.read_text(encoding="utf-8")
    bodies = []
    for fence in text.split("``` http")[2:]:
        body = fence.split("\n\n", 1)[1].split("```", 1)[0]
        bodies.append(json.loads(body))
    return bodies


def test_documented_bodies_round_trip(model_class) -> None:
    bodies = _documented_bodies()
    assert len(bodies) == 2
    for body in bodies:
        assert model_class.from_dict(body).to_dict() == body
        assert json.loads(model_class.from_json(json.dumps(body)).to_json()) == body


def test_datetimes_are_aware_and_written_back_exactly(model_class) -> None:
    response = _documented_bodies()[1]
    cart = model_class.from_dict(response)
    assert cart.created_date_time == datetime(2017, 1, 1, 0, 2, 37, 446308, tzinfo=timezone(timedelta(hours=3)))
    assert cart.created_date_time.tzinfo is not None
    assert cart.to_dict()["lastModifiedDateTime"] == "2016-12-31T23:56:51.5562076+03:00"
    assert '"2016-12-31T23:56:51.5562076+03:00"' in cart.to_json()
    assert cart.display_name == "Display Name value"
    assert cart.device_cart_ids == ["Device Cart Ids value"]
