"""Click options shared by several ``gdlab`` commands (imported by the command modules)."""

from __future__ import annotations

import click


def deterministic_option(f):
    """``--deterministic/--fast``: which matrix products a training or evaluation command uses."""
    return click.option(
        "--deterministic/--fast", "deterministic", default=None,
        help="Matrix products in gdlab's fixed-order GEMM: the same numbers on every x86-64 CPU "
             "and at any --threads (default, unless GDLAB_DETERMINISTIC=0); or in OpenBLAS "
             "(--fast: a few percent faster, but its rounding depends on the CPU and thread "
             "count).")(f)
