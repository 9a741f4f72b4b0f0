"""The layers of webapp/ (docs/architecture.md, "Layers"), read from the code:
no import circles (imports inside functions count too), models never import
views, the public side never imports the back office, and base modules never
import a feature or the app factory.

There are no known exceptions: any circle or forbidden edge fails here."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "webapp"

# Base modules: everything else stands on them, so they import no feature and
# not the app factory (webapp/__init__.py).
BASE = {"webapp." + name for name in (
    "assets", "cacheversion", "clock", "config", "crypto", "db", "errors", "forms", "htmx", "i18n",
    "identity", "jinja", "logs", "mail", "migrations", "redis_store", "security", "storage", "tasks",
    "uploads")}
FEATURES = ("akun", "api", "captcha", "cek", "health", "kompat", "petugas", "sanggahan", "usulan")
# The citizen's side, which must never reach into the back office.
PUBLIC = ("akun", "cek", "sanggahan", "sms", "usulan", "templating", "kiosk", "bahasa")

def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _targets(modules, name, path, node):
    """The webapp modules one import statement loads."""
    if isinstance(node, ast.Import):
        wanted = [alias.name for alias in node.names]
    else:
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        wanted = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                  for alias in node.names]
    found = set()
    for target in wanted:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def import_graph():
    """module → {module it imports}, counting imports anywhere in the file."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= _targets(modules, name, path, node)
    return graph


def circles(graph):
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _in(name, packages):
    return any(name == f"webapp.{p}" or name.startswith(f"webapp.{p}.") for p in packages)


def _is_views(name):
    last = name.rpartition(".")[2]
    return last == "views" or last.endswith("_views")


def test_no_import_circles():
    found = [sorted(c) for c in circles(import_graph())]
    assert found == [], f"import circles: {found}"


def test_models_never_import_views():
    wrong = sorted((a, b) for a, targets in import_graph().items() if a.endswith("models")
                   for b in targets if _is_views(b))
    assert wrong == []


def test_the_public_side_never_imports_the_back_office():
    wrong = sorted((a, b) for a, targets in import_graph().items() if _in(a, PUBLIC)
                   for b in targets if _in(b, ("petugas",)))
    assert wrong == []


def test_base_modules_import_no_feature_and_not_the_app_factory():
    graph = import_graph()
    wrong = sorted((a, b) for a in BASE for b in graph[a] if b == "webapp" or _in(b, FEATURES))
    assert wrong == []


def test_the_checker_counts_imports_inside_functions():
    # migrations imports the program seed inside m012 only.
    assert "webapp.registry.programs" in import_graph()["webapp.migrations"]
    graph = {"webapp.a": {"webapp.b"}, "webapp.b": {"webapp.a"}, "webapp.c": {"webapp.a"}}
    assert circles(graph) == [{"webapp.a", "webapp.b"}]


def test_an_import_inside_a_function_says_why():
    """An import inside a function hides a dependency from the top of the
    file; it stays only with its reason written on it or on the line above
    (an optional library, a heavy module one command uses, …)."""
    silent = []
    for path in sorted(ROOT.rglob("*.py")):
        lines = path.read_text().splitlines()
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    here, above = lines[node.lineno - 1], lines[node.lineno - 2]
                    # Within a commented group, the comment above the group's first line counts.
                    group = node.lineno - 2
                    while group > 0 and (not lines[group].strip()
                                         or lines[group].strip().startswith(("import ", "from "))):
                        group -= 1
                    if "#" not in here and not above.strip().startswith("#") \
                            and not lines[group].strip().startswith("#"):
                        silent.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {here.strip()}")
    assert sorted(set(silent)) == []


def test_python_strings_are_translated_through_one_gettext():
    """The Python code's `_` is webapp.i18n.gettext (the catalogue found once
    per request), never Flask-Babel's own, which looks it up for each string."""
    own = []
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.ImportFrom) and node.module == "flask_babel"
                    and any(alias.name in ("gettext", "ngettext") for alias in node.names)):
                own.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert own == [], own
