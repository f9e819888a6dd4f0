"""What ships: the installed package holds the product only (no evaluation, benchmark or training
code, no development data), and no module of it imports another in a cycle."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "discourse"


def test_the_package_holds_no_evaluation_code_or_development_data():
    from setuptools import find_packages

    packages = find_packages(str(ROOT), include=["discourse*"])
    assert packages and all(p.startswith("discourse") for p in packages)
    assert not [p for p in packages if any(w in p for w in ("evaluation", "benchmark", "training"))]
    assert not list(PACKAGE.rglob("*.jsonl")), "development data inside the package"
    for folder in ("evaluation", "benchmarks", "training"):
        assert (ROOT / folder / "__init__.py").is_file()  # they live beside the package


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # imports for type checkers only never run
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names)
    return {m for m in found if m in modules and m != module}


def test_no_import_cycles():
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    graph = {m: _imports(m, p, modules) for m, p in modules.items()}
    state: dict[str, int] = {}

    def visit(m, trail):
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(n):] + [n]))
            if n not in state:
                visit(n, trail + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
