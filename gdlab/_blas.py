"""Matrix products inside compiled kernels, through NumPy's own BLAS when it can be found.

Numba's ``np.dot`` calls SciPy's BLAS through a wrapper; NumPy's wheels bundle a newer
OpenBLAS (with a small-matrix path) that is up to 25 % faster on the batch-sized products of
mini-batch training. :func:`gemm_source` returns kernel source that calls the CBLAS ``gemm``
of the first library found (NumPy's ILP64 OpenBLAS, then SciPy's), bound by symbol name so that
Numba can cache the compiled code, or plain ``np.dot`` when neither is present. The text names
the symbol, so it is part of every generated kernel's cache key (see :mod:`gdlab._jit`).
"""

from __future__ import annotations

import ctypes
import glob
import os
from functools import lru_cache

from llvmlite import binding as llvm
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def data_ptr(typingctx, arr):
    """``void*`` to the first element of an array (for external BLAS calls)."""
    if not isinstance(arr, types.Array):
        return None

    def codegen(context, builder, signature, args):
        ary = context.make_array(arr)(context, builder, args[0])
        return builder.bitcast(ary.data, cgutils.voidptr_t)

    return types.voidptr(arr), codegen


def _candidates():
    import numpy
    import scipy

    for pkg, pattern, prefix, suffix, bits in (
        (numpy, "numpy.libs/libscipy_openblas64_*", "scipy_cblas_", "64_", 64),
        (scipy, "scipy.libs/libscipy_openblas-*", "scipy_cblas_", "", 32),
    ):
        root = os.path.dirname(os.path.dirname(pkg.__file__))
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            yield path, prefix + "sgemm" + suffix, prefix + "dgemm" + suffix, bits


@lru_cache(maxsize=1)
def find_cblas():
    """``(library path, sgemm symbol, dgemm symbol, int bits)`` of the CBLAS used, or None.

    The library is loaded permanently into LLVM's symbol space so that compiled (and cached)
    kernels can call it by name. ``GDLAB_BLAS=numba`` skips the search (plain ``np.dot``).
    """
    if os.environ.get("GDLAB_BLAS", "").lower() == "numba":
        return None
    for path, s, d, bits in _candidates():
        try:
            lib = ctypes.CDLL(path)
            getattr(lib, s), getattr(lib, d)
        except (OSError, AttributeError):
            continue
        llvm.load_library_permanently(path)
        return path, s, d, bits
    return None


_EXTERNAL = '''\
from numba import types as _t
from gdlab._blas import data_ptr as _ptr, find_cblas as _find

_find()  # loads the library that defines the symbols below
_I = _t.int{bits}
_sig = [_t.intc, _t.intc, _t.intc, _I, _I, _I, None, _t.voidptr, _I, _t.voidptr, _I, None, _t.voidptr, _I]
_sgemm = _t.ExternalFunction("{s}", _t.void(*[_t.float32 if x is None else x for x in _sig]))
_dgemm = _t.ExternalFunction("{d}", _t.void(*[_t.float64 if x is None else x for x in _sig]))


@njit(cache=True, nogil=True)
def gemm(a, b, c, trans_a, trans_b, beta):
    """c = op(a) @ op(b) + beta * c for C-contiguous 2-D arrays (op: transpose if asked)."""
    m, n = c.shape
    k = a.shape[0] if trans_a else a.shape[1]
    ta = 112 if trans_a else 111
    tb = 112 if trans_b else 111
    if c.itemsize == 4:  # float32 (the kernels only see float32 or float64)
        _sgemm(101, ta, tb, m, n, k, np.float32(1.0), _ptr(a), a.shape[1], _ptr(b), b.shape[1],
               np.float32(beta), _ptr(c), n)
    else:
        _dgemm(101, ta, tb, m, n, k, 1.0, _ptr(a), a.shape[1], _ptr(b), b.shape[1],
               np.float64(beta), _ptr(c), n)
'''

_NUMBA_DOT = '''\
@njit(cache=True, nogil=True)
def gemm(a, b, c, trans_a, trans_b, beta):
    """c = op(a) @ op(b) + beta * c for C-contiguous 2-D arrays (op: transpose if asked)."""
    if trans_a:
        r = np.dot(a.T, b)
    elif trans_b:
        r = np.dot(a, b.T)
    else:
        r = np.dot(a, b)
    if beta == 0.0:
        c[:] = r
    else:
        c *= beta
        c += r
'''


_SUMSQ_BLAS = '''

@njit(cache=True, nogil=True)
def sumsq(x):
    """``sum(x**2)`` of a 1-D array as a float64 (BLAS dot in x's dtype)."""
    return np.float64(np.dot(x, x))
'''

_DETERMINISTIC = '''\
from gdlab._gemm import gemm, sumsq
'''


def gemm_source(deterministic: bool = False) -> str:
    """Source of compiled ``gemm(a, b, c, trans_a, trans_b, beta)`` and ``sumsq(x)``.

    Parameters
    ----------
    deterministic : bool, default False
        True: gdlab's own fixed-order GEMM (:mod:`gdlab._gemm`), the same bits on every CPU
        and thread count. False: NumPy's bundled OpenBLAS (or SciPy's, or Numba's ``np.dot``).

    The text needs ``np`` and ``njit`` in scope (the generated preamble provides them).
    """
    if deterministic:
        return "# matrix products: gdlab deterministic GEMM\n" + _DETERMINISTIC
    found = find_cblas()
    if found is None:
        return "# BLAS: numba np.dot\n" + _NUMBA_DOT + _SUMSQ_BLAS
    path, s, d, bits = found
    return f"# BLAS: {os.path.basename(path)}\n" + _EXTERNAL.format(s=s, d=d, bits=bits) + _SUMSQ_BLAS
