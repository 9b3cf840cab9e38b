"""The package's shape: its public names, its layers, no import cycle, typed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import annotate

PACKAGE = Path(annotate.__file__).parent


def test_public_names_are_pinned() -> None:
    assert sorted(annotate.__all__) == sorted(
        [
            "CLAIM_TYPES",
            "STATUSES",
            "Annotation",
            "AnnotationError",
            "Article",
            "ArticleError",
            "ClaimHighlighter",
            "ClaimType",
            "ClassView",
            "ExchangeError",
            "ReaderNotes",
            "Status",
            "Store",
            "StoreError",
            "anchor",
            "claim_type",
            "collection",
            "default_store_path",
            "describe",
            "load_article",
            "locate",
            "read_annotations",
            "reader_name",
            "status",
        ]
    )
    for name in annotate.__all__:
        assert getattr(annotate, name) is not None, name


def test_no_private_name_is_exported() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                names = ast.literal_eval(node.value)
                assert not [n for n in names if n.startswith("_")], path


def _imports(path: Path) -> set[str]:
    """The package modules ``path`` imports (relative imports resolved)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if path.name == "__init__.py":
        module = module.removesuffix(".__init__")
        package = module
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
            found.add(target)
            for alias in node.names:
                found.add(f"{target}.{alias.name}")
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("annotate")
        ):
            found.add(node.module)
    return found


def test_no_import_cycle_between_modules() -> None:
    modules = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in PACKAGE.rglob("*.py")
    }
    graph = {m: {t for t in _imports(p) if t in modules and t != m} for m, p in modules.items()}
    # A package's __init__ re-exporting its own modules is not a cycle.
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    seen: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        if seen.get(m) == 1:
            raise AssertionError(" -> ".join([*path, m]))
        if seen.get(m) == 2:
            return
        seen[m] = 1
        for t in sorted(graph[m]):
            visit(t, [*path, m])
        seen[m] = 2

    for m in sorted(graph):
        visit(m, [])


def test_only_the_cli_parses_arguments() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name == "cli.py":
            continue
        assert "import argparse" not in path.read_text(encoding="utf-8"), path


def test_the_widget_does_not_load_sphinx() -> None:
    code = "import sys, annotate; annotate.ClaimHighlighter; print('sphinx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()
