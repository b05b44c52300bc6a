"""One knob for the two thread pools a training run uses: Numba's and the BLAS library's."""

from __future__ import annotations

from contextlib import contextmanager

import numba


@contextmanager
def limit_threads(n: int | None):
    """Run the body with ``n`` Numba threads and ``n`` BLAS threads (None: leave as is).

    Raises
    ------
    ValueError
        If ``n`` is not in [1, NUMBA_NUM_THREADS].
    """
    if n is None:
        yield
        return
    if not isinstance(n, int) or not 1 <= n <= numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"threads must be an integer in [1, {numba.config.NUMBA_NUM_THREADS}], got {n!r}")
    import scipy.linalg.cython_blas  # noqa: F401  (load the BLAS that Numba's np.dot calls)
    from threadpoolctl import threadpool_limits

    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        with threadpool_limits(limits=n, user_api="blas"):
            yield
    finally:
        numba.set_num_threads(old)
