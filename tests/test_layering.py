"""The package's layering: each sub-package imports only from itself and from the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "summarizer"
# Top to bottom: cli -> run -> {generation, trust} -> engines -> models -> {inputs, outputs} -> {cache, errors}
RANK = {"__main__": 8, "cli": 7, "run": 6, "generation": 5, "trust": 5, "engines": 4, "models": 3, "inputs": 2, "outputs": 2,
        "cache": 1, "errors": 0, "__init__": 0}


def _imports(path: Path, root: Path = PACKAGE) -> list[tuple[str, int]]:
    """The summarizer modules a file imports (dotted, relative to the package), with line numbers; lazy imports too."""
    module = path.relative_to(root).with_suffix("").parts
    package = list(module[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if not node.module:  # `from .. import x`: each name may be a module
                    found += [(".".join([*target, alias.name]), node.lineno) for alias in node.names]
                    continue
            elif node.module and node.module.split(".")[0] == "summarizer":
                target = node.module.split(".")[1:]
            else:
                continue
            found.append((".".join(target), node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name.split(".", 1)[1], node.lineno) for a in node.names if a.name.startswith("summarizer.")]
    return found


def _layer(dotted: str) -> str:
    first = dotted.split(".")[0] if dotted else "__init__"
    return first if first in RANK else "__init__"  # `from .. import __version__`


def test_every_module_belongs_to_a_known_layer():
    for path in PACKAGE.rglob("*.py"):
        assert _layer(path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")) in RANK, path


def test_no_import_goes_up_or_sideways():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _layer(path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", "."))
        for target, line in _imports(path):
            other = _layer(target)
            if other != own and RANK[other] >= RANK[own]:
                violations.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({own}) imports {target} ({other})")
    assert not violations, "\n".join(violations)


def test_the_checker_sees_lazy_relative_and_absolute_imports(tmp_path):
    fake = tmp_path / "summarizer"
    (fake / "models").mkdir(parents=True)
    (fake / "models" / "x.py").write_text(
        "from .lock import read_lock\nfrom .. import errors\nimport summarizer.cli.main\n"
        "def f():\n    from ..run.pipeline import run\n"
    )
    found = _imports(fake / "models" / "x.py", root=fake)
    assert found == [("models.lock", 1), ("errors", 2), ("cli.main", 3), ("run.pipeline", 5)]
    assert [RANK[_layer(t)] > RANK["models"] for t, _ in found] == [False, False, True, True]
