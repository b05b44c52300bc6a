"""Deterministic matrix products: the same bits on every x86-64 CPU, at any thread count.

OpenBLAS chooses its kernel by CPU (``OPENBLAS_CORETYPE``) and splits work by thread count,
so a float32 product's rounding changes from machine to machine; lr-0.1 SGD turns that into
a 0.9-point accuracy difference after 20 MNIST epochs. :func:`gemm` fixes the arithmetic of
every output element instead:

``c[i, j] = fma(a[i, K-1], b[K-1, j], ... fma(a[i, 1], b[1, j], fma(a[i, 0], b[0, j], 0)))``

a chain of fused multiply-adds (one rounding each, IEEE 754 ``fusedMultiplyAdd``) over ``k``
ascending, then ``c = chain + beta * c_old`` when ``beta != 0``. Nothing else enters an
element: no reassociation, no split of ``k`` across threads or registers. The work is
vectorised only *across* output columns (a register tile of 4 rows × 4 vectors of C, written
directly in LLVM IR through :func:`numba.extending.intrinsic`, with masked loads and stores
for the last columns), and threads split the tiles of C, so neither the SIMD width (SSE, AVX2,
AVX-512), the tile shape, the CPU model nor the number of threads can change a result.
``llvm.fma`` is exact on every target: where the CPU has no FMA unit LLVM calls the C
library's ``fma``, which is correctly rounded (slow, but the same bits).

Source: the register-blocked micro-kernel structure of BLIS (Van Zee & van de Geijn, "BLIS:
A Framework for Rapidly Instantiating BLAS Functionality", ACM TOMS 41(3), 2015), restricted
to a fixed ``k`` order per element as in Demmel & Nguyen's reproducible summation setting
(ReproBLAS, "Fast Reproducible Floating-Point Summation", ARITH 2013: a result that does not
depend on the order the machine chooses).
"""

from __future__ import annotations

import llvmlite.ir as ir
import numpy as np
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

#: Rows of C per register tile.
MR = 4
#: Vectors of C per tile row (each 256 bits: 8 float32 or 4 float64 lanes).
NV = 4
#: Multiply-adds above which a product is split over Numba's threads (a parallel region costs
#: a few microseconds; the MNIST MLP's 784x256 and 256x128 products pass it, the small ones
#: stay serial).
PARALLEL_WORK = 1_500_000


def _splat(builder, value, vty):
    i32 = ir.IntType(32)
    v = builder.insert_element(ir.Constant(vty, ir.Undefined), value, ir.Constant(i32, 0))
    return builder.shuffle_vector(v, ir.Constant(vty, ir.Undefined),
                                  ir.Constant(ir.VectorType(i32, vty.count), [0] * vty.count))


def _make_tile(rows: int):
    """Intrinsic ``tile(a, a_off, a_rs, a_ks, b, b_off, ldb, c, c_off, ldc, K, ncols, beta)``.

    Computes a ``rows`` x ``min(ncols, NV * W)`` block of C: element ``(r, j)`` is the FMA chain
    over ``k = 0 .. K-1`` of ``a[a_off + r * a_rs + k * a_ks] * b[b_off + k * ldb + j]``, stored
    at ``c[c_off + r * ldc + j]`` (plus ``beta`` times the old value when ``beta != 0``). The
    arrays are addressed through their data pointers with element offsets (int64).
    """

    @intrinsic
    def tile(typingctx, a, a_off, a_rs, a_ks, b, b_off, ldb, c, c_off, ldc, K, ncols, beta):
        if not all(isinstance(x, types.Array) for x in (a, b, c)):
            return None
        if not (a.dtype == b.dtype == c.dtype) or a.dtype not in (types.float32, types.float64):
            return None
        sig = types.void(a, a_off, a_rs, a_ks, b, b_off, ldb, c, c_off, ldc, K, ncols, beta)

        def codegen(context, builder, signature, args):
            a, a_off, a_rs, a_ks, b, b_off, ldb, c, c_off, ldc, K, ncols, beta = args
            ty = signature.args
            ap = context.make_array(ty[0])(context, builder, a).data
            bp = context.make_array(ty[4])(context, builder, b).data
            cp = context.make_array(ty[7])(context, builder, c).data
            i32, i64 = ir.IntType(32), ir.IntType(64)
            ints = []
            for v, t in zip((a_off, a_rs, a_ks, b_off, ldb, c_off, ldc, K, ncols),
                            (ty[1], ty[2], ty[3], ty[5], ty[6], ty[8], ty[9], ty[10], ty[11])):
                ints.append(context.cast(builder, v, t, types.int64))
            a_off, a_rs, a_ks, b_off, ldb, c_off, ldc, K, ncols = ints
            f32 = ty[0].dtype == types.float32
            fty = ir.FloatType() if f32 else ir.DoubleType()
            width = 8 if f32 else 4
            vty = ir.VectorType(fty, width)
            vptr = vty.as_pointer()
            mty = ir.VectorType(ir.IntType(1), width)
            vname = f"v{width}{'f32' if f32 else 'f64'}"
            pname = "p0" if getattr(vptr, "is_opaque", False) else "p0" + vname
            mod = builder.module
            mload = cgutils.get_or_insert_function(
                mod, ir.FunctionType(vty, [vptr, i32, mty, vty]), f"llvm.masked.load.{vname}.{pname}")
            mstore = cgutils.get_or_insert_function(
                mod, ir.FunctionType(ir.VoidType(), [vty, vptr, i32, mty]),
                f"llvm.masked.store.{vname}.{pname}")
            vfma = cgutils.get_or_insert_function(
                mod, ir.FunctionType(vty, [vty, vty, vty]), f"llvm.fma.{vname}")
            align = ir.Constant(i32, 4 if f32 else 8)
            zero = ir.Constant(vty, None)
            beta = context.cast(builder, beta, ty[12], ty[0].dtype)
            # lane masks of the tile's NV vectors: lane l of vector v is column v * width + l
            lanes = ir.Constant(ir.VectorType(i64, width), list(range(width)))
            masks = []
            for v in range(NV):
                lim = _splat(builder, builder.sub(ncols, ir.Constant(i64, v * width)),
                             ir.VectorType(i64, width))
                masks.append(builder.icmp_signed("<", lanes, lim))
            accs = [[cgutils.alloca_once_value(builder, zero) for _ in range(NV)] for _ in range(rows)]
            with cgutils.for_range(builder, K) as loop:
                k = loop.index
                brow = builder.add(b_off, builder.mul(k, ldb))
                bvec = []
                for v in range(NV):
                    p = builder.gep(bp, [builder.add(brow, ir.Constant(i64, v * width))])
                    bvec.append(builder.call(mload, [builder.bitcast(p, vptr), align, masks[v], zero]))
                acol = builder.add(a_off, builder.mul(k, a_ks))
                for r in range(rows):
                    idx = builder.add(acol, builder.mul(ir.Constant(i64, r), a_rs))
                    s = _splat(builder, builder.load(builder.gep(ap, [idx])), vty)
                    for v in range(NV):
                        acc = accs[r][v]
                        builder.store(builder.call(vfma, [s, bvec[v], builder.load(acc)]), acc)
            keep = builder.fcmp_ordered("!=", beta, ir.Constant(fty, 0.0))
            bsplat = _splat(builder, beta, vty)
            for r in range(rows):
                crow = builder.add(c_off, builder.mul(ir.Constant(i64, r), ldc))
                for v in range(NV):
                    p = builder.bitcast(builder.gep(cp, [builder.add(crow, ir.Constant(i64, v * width))]), vptr)
                    val = builder.load(accs[r][v])
                    with builder.if_then(keep):
                        old = builder.call(mload, [p, align, masks[v], zero])
                        builder.store(builder.fadd(val, builder.fmul(bsplat, old)), accs[r][v])
                    builder.call(mstore, [builder.load(accs[r][v]), p, align, masks[v]])
            return context.get_dummy_value()

        return sig, codegen

    return tile


_tile_mr = _make_tile(MR)
_tile_1 = _make_tile(1)


# Not cached on their own: gemm is parallel, and Numba 0.68 does not reload the parfors of a
# parallel callee for a cached caller (numba #8578, #10128; see models/_dssm_core.py). They are
# compiled into the cached, parallel=True entry points of the generated kernel modules.
_OPTS = dict(cache=False, nogil=True)


@njit(**_OPTS)
def _transpose(b):
    """C-ordered copy of ``b.T``, in 32 x 32 blocks (both sides stay in cache)."""
    n, k = b.shape
    out = np.empty((k, n), b.dtype)
    for j0 in range(0, n, 32):
        j1 = min(j0 + 32, n)
        for k0 in range(0, k, 32):
            k1 = min(k0 + 32, k)
            for j in range(j0, j1):
                for kk in range(k0, k1):
                    out[kk, j] = b[j, kk]
    return out


@njit(**_OPTS)
def _tile_at(t, n_iblocks, m, a, a_rs, a_ks, b, c, K, beta, nr):
    """Tile ``t`` of C (column panel ``t // n_iblocks``, row block ``t % n_iblocks``)."""
    n = c.shape[1]
    j0 = (t // n_iblocks) * nr
    i0 = (t % n_iblocks) * MR
    nc = min(nr, n - j0)
    if i0 + MR <= m:
        _tile_mr(a, i0 * a_rs, a_rs, a_ks, b, j0, n, c, i0 * n + j0, n, K, nc, beta)
    else:
        for i in range(i0, m):
            _tile_1(a, i * a_rs, a_rs, a_ks, b, j0, n, c, i * n + j0, n, K, nc, beta)


@njit(parallel=True, **_OPTS)
def gemm(a, b, c, trans_a, trans_b, beta):
    """``c = op(a) @ op(b) + beta * c`` with a fixed summation order per element.

    Parameters
    ----------
    a, b : ndarray, C-contiguous 2-D, float32 or float64
        ``op(a)`` is ``a.T`` when ``trans_a`` (likewise ``b``); ``op(a)`` has shape (m, K) and
        ``op(b)`` (K, n).
    c : ndarray of shape (m, n), C-contiguous, same dtype
        Written in place.
    trans_a, trans_b : bool
    beta : float
        0 overwrites ``c``; otherwise ``c = chain + beta * c`` (one multiply, one add).

    Each element is the FMA chain over ``k`` ascending described in the module docstring, so the
    result is bit-identical on every CPU and at any thread count (products of more than
    :data:`PARALLEL_WORK` multiply-adds split whole tiles of C over Numba's threads).
    """
    m, n = c.shape
    bt = _transpose(b) if trans_b else b
    K = bt.shape[0]
    lda = a.shape[1]
    a_rs = 1 if trans_a else lda
    a_ks = lda if trans_a else 1
    nr = NV * (8 if c.itemsize == 4 else 4)
    n_iblocks = (m + MR - 1) // MR
    n_tiles = n_iblocks * ((n + nr - 1) // nr)
    if m * n * K >= PARALLEL_WORK:
        for t in prange(n_tiles):
            _tile_at(t, n_iblocks, m, a, a_rs, a_ks, bt, c, K, beta, nr)
    else:
        for t in range(n_tiles):
            _tile_at(t, n_iblocks, m, a, a_rs, a_ks, bt, c, K, beta, nr)



@njit(**_OPTS)
def sumsq(x):
    """``sum(x**2)`` of a 1-D float array as a float64, in a fixed order.

    Eight float64 partial sums over ``x[8q + r]`` (exact squares of float32 inputs), combined
    pairwise at the end: vectorisable without reassociation, the same bits everywhere.
    """
    n = x.shape[0]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    q = 0
    while q + 8 <= n:
        v0, v1, v2, v3 = np.float64(x[q]), np.float64(x[q + 1]), np.float64(x[q + 2]), np.float64(x[q + 3])
        v4, v5, v6, v7 = np.float64(x[q + 4]), np.float64(x[q + 5]), np.float64(x[q + 6]), np.float64(x[q + 7])
        s0 += v0 * v0
        s1 += v1 * v1
        s2 += v2 * v2
        s3 += v3 * v3
        s4 += v4 * v4
        s5 += v5 * v5
        s6 += v6 * v6
        s7 += v7 * v7
        q += 8
    while q < n:
        v = np.float64(x[q])
        s0 += v * v
        q += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
