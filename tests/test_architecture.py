"""The layout shows the architecture: no import cycles between gdlab's modules (issue 14), and
every training loop goes through the one epoch driver."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "gdlab"


def _graph():
    mods = {}
    for p in PKG.rglob("*.py"):
        rel = p.relative_to(ROOT).with_suffix("")
        mods[".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)] = p
    graph = {}
    for name, p in mods.items():
        is_pkg = p.name == "__init__.py"
        deps = set()
        for node in ast.walk(ast.parse(p.read_text())):  # any import, at any depth
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = name if is_pkg else name.rsplit(".", 1)[0]
                if node.level:
                    parts = base.split(".")
                    base = ".".join(parts[: len(parts) - (node.level - 1)])
                    mod = f"{base}.{node.module}" if node.module else base
                else:
                    mod = node.module or ""
                found = [mod] + [f"{mod}.{a.name}" for a in node.names]
            else:
                continue
            deps.update(m for m in found if m in mods and m != name and not name.startswith(m + "."))
        graph[name] = deps
    return graph


def _cycles(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_engine_imports_no_model():
    deps = set().union(*(d for m, d in _graph().items() if m.startswith("gdlab.engine")))
    assert not any(d.startswith(("gdlab.models", "gdlab.training", "gdlab.sklearn", "gdlab.cli")) for d in deps)


def test_every_training_loop_uses_the_driver():
    for rel in ("training.py", "models/_dssm.py", "models/_linear.py", "sklearn/_mlp.py"):
        text = (PKG / rel).read_text()
        assert "run_epochs(" in text, rel
        assert "for b in range(0, n_batches" not in text, f"{rel} still loops over chunks itself"


def test_the_library_does_not_import_the_figure_scripts():
    for p in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "paper_figures" for n in names), p


def test_layers_point_down():
    """cli -> (sklearn, models, surfaces, training) -> engine -> optim: no model imports the
    MLP's training module or the CLI, and nothing below the CLI imports it."""
    g = _graph()
    for m, deps in g.items():
        if m.startswith(("gdlab.models", "gdlab.engine", "gdlab.optim", "gdlab.surfaces")):
            assert not any(d.startswith(("gdlab.training", "gdlab.cli")) for d in deps), (m, deps)
        if not m.startswith("gdlab.cli"):
            assert not any(d.startswith("gdlab.cli") for d in deps), (m, deps)
