"""The layout of `engine/` (installed as `convenant`): packages in the order of the pipeline, each
module importing only its own package and the packages before it, and no import circles. The
developer guide names every package."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from tests.paths import REPO_ROOT

ENGINE = REPO_ROOT / "engine"

# Lowest first: a module may import its own package and the ones above it in this list.
LAYERS = (
    "words",
    "core",
    "source",
    "language",
    "proof",
    "primitives",
    "check",
    "evaluation",
    "render",
    "explain",
    "letters",
    "workflow",
    "batch",
    "verify",
    "register",
    "web",
    "cli",
)
TOP = {"convenant", "convenant.__main__"}  # the package itself and `python -m convenant`


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ENGINE.rglob("*.py")):
        parts = path.relative_to(ENGINE).with_suffix("").parts
        found[".".join(("convenant", *(parts[:-1] if parts[-1] == "__init__" else parts)))] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every convenant module `name` imports, at the top or inside a function. Imports under
    `if TYPE_CHECKING:` only name types for annotations (the model names the primitives' specs
    so); they never run, so they are no dependency."""
    found = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for statement in node.body
        for inner in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(x for x in (base, node.module or "") if x)
            if module.split(".")[0] != "convenant":
                continue
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.add(full if full in modules else module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "convenant"}
    return found - {name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) & set(modules) for name, path in modules.items()}


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[1])


def test_every_module_lives_in_a_package_of_the_pipeline():
    loose = [m for m in _modules() if m not in TOP and m.split(".")[1] not in LAYERS]
    assert not loose, f"modules outside the packages of the developer guide: {loose}"


def test_a_module_imports_only_its_own_package_and_earlier_ones():
    wrong = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if module not in TOP
        for target in targets
        if target not in TOP and _layer(target) > _layer(module)
    ]
    assert not wrong, "\n".join(wrong)


def test_there_are_no_import_circles():
    graph = _graph()
    circles, index, low, stack, on = [], {}, {}, [], set()

    def visit(v: str) -> None:  # Tarjan: strongly connected components of more than one module
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on.discard(component[-1])
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert not circles, circles


def test_the_developer_guide_names_every_package_with_its_job():
    guide = (REPO_ROOT / "docs" / "developers.md").read_text(encoding="utf-8")
    for package in LAYERS:
        assert re.search(rf"^{package} +\S.*engine/{package}/", guide, re.M), package
        assert (ENGINE / package / "__init__.py").read_text(encoding="utf-8").startswith('"""'), package


def test_the_checks_catch_a_circle(tmp_path, monkeypatch):
    """The circle test is not vacuous: two modules that import each other are found."""
    for name, other in (("a", "b"), ("b", "a")):
        (tmp_path / "core").mkdir(exist_ok=True)
        (tmp_path / "core" / f"{name}.py").write_text(f"from convenant.core import {other}\n")
    (tmp_path / "core" / "__init__.py").write_text('"""x"""\n')
    monkeypatch.setattr(sys.modules[__name__], "ENGINE", tmp_path)
    graph = _graph()
    assert graph["convenant.core.a"] == {"convenant.core.b"}
    try:
        test_there_are_no_import_circles()
    except AssertionError as error:
        assert "convenant.core.a" in str(error)
    else:
        raise AssertionError("a circle of two modules was not found")
