"""The code's layers point one way, kept so by reading the imports (function-level ones too).

- apps: portal ← office ← {accounts, dialogue}; accounts and dialogue never import each other;
- inside an app: models ← selectors ← services ← views and tasks (STYLE.md §12);
- no module imports itself back through a circle, at any depth.

A lower layer that needs to reach up takes a callback or a registry the upper app fills in its
`AppConfig.ready()` (e.g. `portal.deadlines.register_step_type`).
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("portal", "office", "accounts", "dialogue")
# An app may import the apps listed for it, and no other.
MAY_IMPORT = {
    "portal": {"portal"},
    "office": {"portal", "office"},
    "accounts": {"portal", "office", "accounts"},
    "dialogue": {"portal", "office", "dialogue"},
}
# Inside an app: a module may import modules of its own rank or lower, never higher.
RANK = {"models": 0, "selectors": 1, "services": 2, "views": 3, "tasks": 3}
# The project's wiring, which names every app by design: the root URLconf and the settings.
WIRING = {"portal.urls", "portal.settings", "portal.celery", "portal.wsgi"}


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _resolve(name: str, modules) -> str | None:
    """The project module an import lands in (the longest known prefix), or None."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    base = ".".join(base + ([node.module] if node.module else []))
                else:
                    base = node.module
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                found = _resolve(target, modules)
                if found and found != name:
                    graph[name].add(found)
    return graph


def _rank(module: str) -> int | None:
    parts = module.split(".")
    return RANK.get(parts[1]) if len(parts) > 1 else None


def test_the_import_graph_is_read():
    graph = import_graph()
    # A sanity check that the reader sees relative, nested and function-level imports.
    assert "dialogue.services._common" in graph["dialogue.services.routing"]
    assert "portal.deadlines" in graph["dialogue.engine"]
    assert "accounts.services" in graph["accounts.views.review"]


def test_apps_import_only_the_apps_below_them():
    wrong = [
        f"{module} → {target}"
        for module, targets in import_graph().items()
        if module not in WIRING
        for target in targets
        if target.split(".")[0] not in MAY_IMPORT[module.split(".")[0]]
    ]
    assert wrong == []


def test_inside_an_app_layers_point_down():
    wrong = []
    for module, targets in import_graph().items():
        own = _rank(module)
        if own is None:
            continue
        for target in targets:
            theirs = _rank(target)
            same_app = target.split(".")[0] == module.split(".")[0]
            if same_app and theirs is not None and theirs > own:
                wrong.append(f"{module} → {target}")
    assert wrong == []


def _circles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_back_through_a_circle():
    graph = import_graph()
    # A package's __init__ that re-exports its modules is the package, not a circle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    assert _circles(graph) == []


def test_a_circle_would_be_found():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
