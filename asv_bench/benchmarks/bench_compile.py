"""Import and compilation time, each in a fresh Python process (asv ``timeraw_*``).

A ``timeraw_*`` benchmark returns code (or ``(code, setup)``); asv runs it in a new
interpreter, with ``setup`` executed untimed first, and times the code alone. The three
numbers, next to the steady-state ``time_adam_step_1e3`` of the same vector, show what a
first call costs and that the other benchmarks (which warm up in ``setup``) exclude it:

* ``timeraw_import_gdlab``: ``import gdlab``.
* ``timeraw_first_adam_step_cold``: ``create("adam").step`` on 1 000 float32 elements in a
  process whose ``GDLAB_CACHE_DIR`` and ``NUMBA_CACHE_DIR`` are new, empty directories: the
  kernel source is generated and compiled by Numba.
* ``timeraw_first_adam_step_cached``: the same in a process whose cache directories were
  populated beforehand by another process (in the untimed setup): the kernel is loaded from
  the disk cache.
* ``time_adam_step_1e3``: one step once warm (``setup`` has taken two steps).
"""

from __future__ import annotations

from .bench_optim import warm_optimizer
from .common import set_threads

# Untimed setup shared by the two first-step benchmarks: before anything imports numba or gdlab,
# point both caches at a fresh temporary directory (removed when the process exits).
_FRESH_CACHE = """
import atexit, os, shutil, tempfile
_d = tempfile.mkdtemp(prefix="gdlab-asv-cache-")
atexit.register(shutil.rmtree, _d, True)
os.environ["GDLAB_CACHE_DIR"] = os.path.join(_d, "gdlab")
os.environ["NUMBA_CACHE_DIR"] = os.path.join(_d, "numba")
"""

# Run in a child by the untimed setup of the "cached" benchmark. asv pastes setup code into a
# triple-quoted string, which would turn the escapes of a multi-line repr into real newlines:
# the child's code is therefore one line.
_POPULATE = """
import subprocess, sys
subprocess.run([sys.executable, "-c", {code!r}], check=True)
"""


def _one_line(code: str) -> str:
    return "; ".join(line for line in code.strip().splitlines() if line.strip())


_IMPORTS = """
import numpy as np
from gdlab.optim import create
p = np.random.default_rng(0).standard_normal(1000, dtype=np.float32)
g = np.random.default_rng(1).standard_normal(1000, dtype=np.float32)
"""

_FIRST_STEP = 'create("adam", on_nonfinite="ignore").step(p, g)'


def timeraw_import_gdlab():
    return "import gdlab"


def timeraw_first_adam_step_cold():
    return _FIRST_STEP, _FRESH_CACHE + _IMPORTS


def timeraw_first_adam_step_cached():
    # The populating child inherits the environment (hence the cache directories) set above.
    return _FIRST_STEP, _FRESH_CACHE + _POPULATE.format(code=_one_line(_IMPORTS + _FIRST_STEP)) + _IMPORTS


for _f in (timeraw_import_gdlab, timeraw_first_adam_step_cold, timeraw_first_adam_step_cached):
    _f.number = 1
    _f.repeat = 3      # 3 fresh processes (a cold one compiles for ~1 s)
    _f.rounds = 1
    _f.timeout = 180


class AdamStep:
    """The steady state the first-step timings compare with: Adam on 1 000 float32 elements,
    one thread, warmed up in ``setup`` (``bench_optim.warm_optimizer``, cached per process)."""

    def setup(self):
        set_threads(1)
        self.opt, self.p, self.g = warm_optimizer("adam", 1_000)

    def time_adam_step_1e3(self):
        self.opt.step(self.p, self.g)
