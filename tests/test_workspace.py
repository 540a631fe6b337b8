"""`convenant init`: a workspace outside the checkout, and the bundled data found as a package's."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

from convenant.core import paths
from tests.paths import REPO_ROOT


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_bundled_data_is_found_through_the_package():
    assert (paths.BUNDLED_RULES_DIR / "municipalities.yaml").is_file()
    assert (paths.SCHEMAS_DIR / "rule-file.schema.json").is_file()
    assert (paths.EXAMPLES_DIR / "assen-2024.yaml").is_file()


def test_the_wheel_declares_every_bundled_folder_and_the_proofs():
    """What `pip wheel .` puts in: the code under the name convenant, rules, schemas, examples."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert setuptools["package-dir"] == {
        "convenant": "engine",
        "convenant.rules": "rules",
        "convenant.schemas": "schemas",
        "convenant.examples": "examples",
    }
    code_packages = {p.parent for p in (REPO_ROOT / "engine").rglob("__init__.py")}
    declared = set(setuptools["packages"])
    for folder in code_packages:
        name = ".".join(("convenant", *folder.relative_to(REPO_ROOT / "engine").parts))
        assert name in declared, f"{folder} is not in the wheel"
    assert config["project"]["scripts"]["convenant"] == "convenant.cli.start:main"


def test_every_data_file_of_the_code_is_declared_for_the_wheel():
    """A template, font or words file that no `package-data` glob of its package matches is left
    out of a wheel built from a clean clone (an editable install would still find it)."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]
    engine = REPO_ROOT / "engine"
    packages = {p.parent for p in engine.rglob("__init__.py")} | {engine}
    for path in sorted(engine.rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        owner = max((p for p in packages if p in path.parents), key=lambda p: len(p.parts))
        name = ".".join(("convenant", *owner.relative_to(engine).parts))
        relative = path.relative_to(owner)
        globs = data.get(name, [])
        assert any(relative.match(g) and len(relative.parts) == len(Path(g).parts) for g in globs), (
            f"{path.relative_to(REPO_ROOT)} is not in package-data of {name}"
        )


def test_init_writes_a_workspace_that_validates(run, tmp_path):
    target = tmp_path / "werkmap"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    assert "Werkmap" in result.stdout
    for name in ("rules/assen/2024-v1.6.yaml", "rules/municipalities.yaml", "schemas/facts.schema.json"):
        assert (target / name).is_file(), name
    assert (target / "rules/assen/2024-v1.6.templates/resultaat_bw.j2").is_file()
    settings = json.loads((target / ".vscode/settings.json").read_text(encoding="utf-8"))
    for schema in settings["yaml.schemas"]:
        assert (target / schema).is_file(), schema
    # the $schema line of a rule file points at the workspace's own schema
    first = (target / "rules/assen/2024-v1.6.yaml").read_text(encoding="utf-8").splitlines()[0]
    relative = first.split("$schema=")[1]
    assert (target / "rules/assen" / relative).resolve().is_file()
    checked = run("--rules-dir", str(target / "rules"), "validate", str(target / "rules"))
    assert checked.exit_code == 0, checked.output


def test_a_workspace_is_used_through_rules_dir(run, tmp_path):
    target = tmp_path / "werkmap"
    assert run("init", str(target)).exit_code == 0
    rule_file = target / "rules/assen/2024-v1.6.yaml"
    rule_file.write_text(rule_file.read_text(encoding="utf-8").replace("versie 1.6", "versie 1.6 (werkmap)"))
    result = run("--rules-dir", str(target / "rules"), "evaluate", str(target / "examples/assen-2024.yaml"))
    assert result.exit_code == 0, result.output
    assert str(rule_file.relative_to(tmp_path)) in result.stdout or str(rule_file) in result.stdout


def test_init_never_writes_into_a_folder_with_files(run, tmp_path):
    target = tmp_path / "werkmap"
    target.mkdir()
    (target / "notitie.txt").write_text("van mij")
    before = _tree(tmp_path)
    result = run("init", str(target))
    assert result.exit_code == 1
    assert "bestaat al en is niet leeg" in result.stderr
    assert _tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["werkmap"]


def test_init_refuses_a_file(run, tmp_path):
    target = tmp_path / "werkmap"
    target.write_text("een bestand")
    result = run("init", str(target))
    assert result.exit_code == 1
    assert "is een bestand, geen map" in result.stderr
    assert target.read_text() == "een bestand"


def test_init_takes_an_empty_folder(run, tmp_path):
    target = tmp_path / "werkmap"
    target.mkdir()
    assert run("init", str(target)).exit_code == 0
    assert (target / "rules/municipalities.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["werkmap"]
