"""Every example in the documentation is a test (issue 14): sybil runs each ```python block of
README.md, docs/*.md and the plugin READMEs, in order, one namespace per file, in a fresh
temporary working directory (on ``sys.path``, with its ``src/``).

- A block whose first line is ``# path/to/file.py`` is also written to that file, so later
  blocks can import it (``from signum import SIGNUM``); it is executed too unless it uses
  relative imports (a package module, imported through its package instead).
- Hidden ``<!-- invisible-code-block: python -->`` blocks assert the numbers the text claims.
- ``<!-- skip: next if(...) -->`` skips a block that needs data which does not ship with gdlab.
"""

import importlib
import os
import re
import sys
import tempfile
from pathlib import Path

from sybil import Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import ClearNamespaceParser, CodeBlockParser, SkipParser

_FILE = re.compile(r"\A#\s*([\w./-]+\.py)\s*$", re.M)
_run = PythonEvaluator()


def _evaluate(example):
    code = example.parsed
    first = code.splitlines()[0] if code.strip() else ""
    m = _FILE.match(first)
    if m:
        path = Path(m.group(1))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
        importlib.invalidate_caches()  # sys.path entries that did not exist yet
        if re.search(r"^\s*from \.", code, re.M):
            return None
    return _run(example)


def _setup(namespace):
    namespace["_old"] = (os.getcwd(), list(sys.path), set(sys.modules))
    namespace["_tmp"] = tempfile.TemporaryDirectory(prefix="gdlab-docs-")
    os.chdir(namespace["_tmp"].name)
    sys.path[:0] = [namespace["_tmp"].name, os.path.join(namespace["_tmp"].name, "src")]
    data = os.environ.get("GDLAB_DATA_DIR", "/nonexistent")
    namespace["HAVE_WIKIQA"] = os.path.isdir(os.path.join(data, "wikiqa"))


def _teardown(namespace):
    cwd, path, modules = namespace["_old"]
    os.chdir(cwd)
    sys.path[:] = path
    for name in set(sys.modules) - modules:  # modules the document wrote (signum, gdlab_signum)
        if getattr(sys.modules[name], "__file__", "") and namespace["_tmp"].name in sys.modules[name].__file__:
            del sys.modules[name]
    namespace["_tmp"].cleanup()


pytest_collect_file = Sybil(
    parsers=[CodeBlockParser("python", _evaluate), SkipParser(), ClearNamespaceParser()],
    path=str(Path(__file__).resolve().parent),
    patterns=["README.md", "docs/*.md", "plugins/*/README.md"],
    excludes=["tests/*/*.md", "tests/*.md"],  # notes for maintainers, not user documentation
    setup=_setup, teardown=_teardown,
).pytest()
