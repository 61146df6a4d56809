"""The package's modules import each other without a circle: every `import` counts, at
module level or inside a function, since a function-level import is a dependency too."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import creditline

PACKAGE_DIR = Path(creditline.__file__).parent


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from creditline.reports import charts` imports the submodule charts
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        found.update(target for target in targets if target in modules)
    found.discard(name)
    return found


def import_graph(package_dir: Path = PACKAGE_DIR) -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    modules = module_files(package_dir)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def test_the_graph_sees_the_package_and_its_imports():
    graph = import_graph()
    assert {"creditline.cli", "creditline.daily", "creditline.reports.build_site"} <= set(graph)
    assert "creditline.daily" in graph["creditline.cli"]  # a function-level import
    assert "creditline.reports.closures" in graph["creditline.reports.build_site"]


def test_the_package_has_no_import_cycle():
    try:
        list(TopologicalSorter(import_graph()).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    package = tmp_path / "creditline"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from creditline import b\n")
    (package / "b.py").write_text("from . import a\n")
    graph = import_graph(package)
    assert graph == {
        "creditline": set(),
        "creditline.a": {"creditline.b"},
        "creditline.b": {"creditline.a"},
    }
    with pytest.raises(CycleError):
        list(TopologicalSorter(graph).static_order())
