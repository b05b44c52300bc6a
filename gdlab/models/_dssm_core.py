# Kernel template (see gdlab._jit.kernel_module): pasted after the generated preamble, which
# defines np, math, njit, prange and gemm. Never imported on its own.
"""Compiled pieces of the two-tower DSSM / CLSM on one flat parameter vector.

Texts
    A corpus side is CSR arrays ``(indptr, indices, data)`` whose rows are *word rows* (letter
    trigram counts), plus ``tptr``: text ``r`` is word rows ``tptr[r]:tptr[r + 1]``. DSSM has one
    word row per text (the text's whole bag of trigrams) and window 1; CLSM has one row per
    word and a window of 3.
Tower layout
    ``sizes = (V, C_1, ..., C_L)``. Layer 0 (at ``offs[0]``) is ``W_0`` of shape
    (V, window * C_1), C order (row ``v`` holds the window's ``window`` blocks of ``C_1``
    weights of trigram ``v``), then ``b_0`` (C_1,). Layer ``l >= 1`` is ``W_l`` (C_l, C_l+1) then
    ``b_l``. Every layer applies tanh. A text's layer-0 output is, for each channel, the max over
    its word positions ``t`` of ``tanh(b_0 + sum_k x_{t+k-pad} W_0[:, k block])`` with
    ``pad = (window - 1) // 2`` and zero vectors outside the text (CLSM's convolution and max
    pooling); for DSSM (window 1, one position) that is ``tanh(x W_0 + b_0)``. A text without
    words gets ``tanh(b_0)``.
Work buffers of one side (a tuple, see ``alloc_side``)
    ``wstart`` (n+1) batch word offsets per text, ``wrow`` corpus word row of each batch word,
    ``P``/``dP`` (n_words, window*C_1) sparse products and their gradient, ``Z`` (n, C_1)
    scratch, ``amax`` (n, C_1) arg-max position, ``acts``/``deltas`` flat buffers of the layer
    outputs (layer ``l`` at ``aoffs[l]``, an (n, C_l+1) block) and their gradients, then the
    batch's non-zeros bucketed by trigram (``ends``, ``touched``, ``ent_w``, ``ent_v``, and
    ``nt[0]`` buckets; see ``bucket_by_trigram``).
Sparse first layer
    The forward product walks each batch word's non-zeros (one thread per word, when there is
    at least ``PARALLEL_WORK`` work). For the
    weight gradient the batch's non-zeros are bucketed by trigram during the forward pass
    (when a gradient will follow), so that each row of ``W_0`` present in the batch is written
    by one thread, against rows of ``dP`` that stay in cache, and untouched rows cost nothing.
"""

from gdlab._config import jit_options

# Caching: Numba 0.68 segfaults when a cached function that calls a parallel one is loaded
# next to pieces cached by another process (numba issues #8578, #10128: parfor kernels are not
# reloaded for a non-parallel caller). So only the entry points called from Python are cached;
# they are parallel=True (their parfors are reloaded with them), and everything they call is
# compiled into them in one process.
# error_model="numpy": IEEE division (inf/nan, caught by the loss check) instead of Python's
# ZeroDivisionError test, whose branch keeps LLVM from vectorising loops that divide (tanh).
ENTRY = jit_options(parallel=True, error_model="numpy")
LOCAL = jit_options(cache=False, error_model="numpy")
PARALLEL = jit_options(parallel=True, cache=False, error_model="numpy")
INLINE = jit_options(inline="always", cache=False, error_model="numpy")

# Multiply-adds below which a sparse loop stays on one thread: a parallel region costs little on
# an idle machine but can stall for a scheduler tick on a busy one, so small batches (the query
# side) skip it.
PARALLEL_WORK = 2_000_000


@njit(**LOCAL)
def layer_params(params, sizes, offs, window, l):
    """Views ``(W, b)`` of layer ``l`` of the tower whose layers start at ``offs``."""
    fi, fo, o = sizes[l], sizes[l + 1], offs[l]
    width = fo * window if l == 0 else fo
    return params[o : o + fi * width].reshape((fi, width)), params[o + fi * width : o + fi * width + fo]


@njit(**LOCAL)
def block(buf, off, n, width):
    """(n, width) C-ordered view of the flat buffer ``buf`` starting at ``off``."""
    return buf[off : off + n * width].reshape((n, width))


@njit(**INLINE)
def _tanh32(x):
    """tanh of a float32 by Eigen's rational approximation (error < 1e-6, vectorisable).

    Clamped to +-7.90531111 (where tanh rounds to +-1 in float32); inputs below 4e-4 in
    magnitude are returned as they are. Coefficients: Eigen 3.4, MathFunctionsImpl.h,
    ``generic_fast_tanh_float``.
    """
    c = np.float32(7.90531110763549805)
    y = x
    if y > c:
        y = c
    if y < -c:
        y = -c
    y2 = y * y
    p = y2 * np.float32(-2.76076847742355e-16) + np.float32(2.00018790482477e-13)
    p = y2 * p + np.float32(-8.60467152213735e-11)
    p = y2 * p + np.float32(5.12229709037114e-08)
    p = y2 * p + np.float32(1.48572235717979e-05)
    p = y2 * p + np.float32(6.37261928875436e-04)
    p = y2 * p + np.float32(4.89352455891786e-03)
    q = y2 * np.float32(1.19825839466702e-06) + np.float32(1.18534705686654e-04)
    q = y2 * q + np.float32(2.26843463243900e-03)
    q = y2 * q + np.float32(4.89352518554385e-03)
    r = y * p / q
    return x if abs(x) < np.float32(0.0004) else r


@njit(**LOCAL)
def tanh_inplace(v):
    """``v = tanh(v)`` on a 1-D array: exact (libm) in float64, :func:`_tanh32` in float32."""
    if v.itemsize == 4:
        for j in range(v.shape[0]):
            v[j] = _tanh32(v[j])
    else:
        for j in range(v.shape[0]):
            v[j] = math.tanh(v[j])


@njit(**LOCAL)
def alloc_side(nmax, nwmax, nnzmax, sizes, window, like):
    """Work buffers for up to ``nmax`` texts holding up to ``nwmax`` words and ``nnzmax``
    non-zeros, in the dtype of ``like``."""
    n_layers = sizes.shape[0] - 1
    c1 = sizes[1]
    aoffs = np.zeros(n_layers, np.int64)
    for l in range(1, n_layers):
        aoffs[l] = aoffs[l - 1] + nmax * sizes[l]
    total = aoffs[n_layers - 1] + nmax * sizes[n_layers]
    nw = max(nwmax, 1)
    dt = like.dtype
    nnz = max(nnzmax, 1)
    return (np.empty(nmax + 1, np.int64), np.empty(nw, np.int64), np.empty(nw * window * c1, dt),
            np.empty(nw * window * c1, dt), np.empty(nmax * c1, dt), np.empty(nmax * c1, np.int64),
            np.empty(total, dt), np.empty(total, dt), aoffs,
            np.empty(sizes[0], np.int64), np.empty(sizes[0], np.int64), np.empty(nnz, np.int64),
            np.empty(nnz, dt), np.zeros(1, np.int64))


@njit(**LOCAL)
def gather_batch(perm, lo, nb, pair_q, pair_d, negs, qrows, drows):
    """Rows of batch ``perm[lo : lo + nb]``: ``qrows[i]`` the question of pair ``perm[lo + i]``,
    ``drows[i * k1 : (i + 1) * k1]`` its positive sentence then its ``k1 - 1`` negatives."""
    k1 = negs.shape[1] + 1
    for i in range(nb):
        p = perm[lo + i]
        qrows[i] = pair_q[p]
        drows[i * k1] = pair_d[p]
        for j in range(k1 - 1):
            drows[i * k1 + 1 + j] = negs[p, j]


@njit(**LOCAL)
def count_words(tptr, indptr, rows):
    """Number of word rows and of non-zeros of the texts ``rows``."""
    nw = np.int64(0)
    nnz = np.int64(0)
    for i in range(rows.shape[0]):
        r = rows[i]
        nw += tptr[r + 1] - tptr[r]
        nnz += indptr[tptr[r + 1]] - indptr[tptr[r]]
    return nw, nnz


@njit(**LOCAL)
def bucket_by_trigram(indptr, indices, data, wrow, nw, mark, ends, touched, ent_w, ent_v):
    """Counting sort of the non-zeros of the first ``nw`` batch words by trigram.

    Bucket ``s`` is trigram ``touched[s]``; its entries ``ends[s-1]:ends[s]`` (from 0 for
    ``s = 0``) hold the batch word (``ent_w``) and the value (``ent_v``) of each occurrence.
    ``mark`` (length n_features, all -1 on entry and exit) is scratch. Returns the number of
    buckets.
    """
    nt = np.int64(0)
    for b in range(nw):
        r = wrow[b]
        for k in range(indptr[r], indptr[r + 1]):
            col = indices[k]
            s = mark[col]
            if s < 0:
                s = nt
                mark[col] = nt
                touched[nt] = col
                ends[nt] = 0
                nt += 1
            ends[s] += 1
    acc = np.int64(0)
    for s in range(nt):
        c = ends[s]
        ends[s] = acc
        acc += c
    for b in range(nw):
        r = wrow[b]
        for k in range(indptr[r], indptr[r + 1]):
            s = mark[indices[k]]
            p = ends[s]
            ent_w[p] = b
            ent_v[p] = data[k]
            ends[s] = p + 1
    for s in range(nt):
        mark[touched[s]] = -1
    return nt


@njit(**PARALLEL)
def sparse_rows(W0, indptr, indices, data, wrow, nw, nnz, P):
    """``P[b] = x_{wrow[b]} @ W0`` for the first ``nw`` batch words (sparse x dense), one
    thread per word row when the work (``nnz`` non-zeros) is large enough."""
    width = W0.shape[1]
    if nnz * width < PARALLEL_WORK:
        for b in range(nw):
            _sparse_row(W0, indptr, indices, data, wrow[b], P[b])
    else:
        for b in prange(nw):
            _sparse_row(W0, indptr, indices, data, wrow[b], P[b])


@njit(**INLINE)
def _sparse_row(W0, indptr, indices, data, r, out):
    width = W0.shape[1]
    for j in range(width):
        out[j] = 0
    for k in range(indptr[r], indptr[r + 1]):
        x = data[k]
        src = W0[indices[k]]
        for j in range(width):
            out[j] += x * src[j]


@njit(**PARALLEL)
def conv_pool(P, wstart, n, b0, window, H0, amax, Z):
    """Convolution over word windows, tanh and max pooling (see the module docstring)."""
    C = b0.shape[0]
    pad = (window - 1) // 2
    for i in prange(n):
        a = wstart[i]
        nwords = wstart[i + 1] - a
        h = H0[i]
        am = amax[i]
        z = Z[i]
        if nwords == 0:
            for c in range(C):
                h[c] = b0[c]
                am[c] = -1
            tanh_inplace(h)
        elif nwords == 1 and window == 1:  # DSSM: one bag of trigrams per text
            src = P[a]
            for c in range(C):
                h[c] = src[c] + b0[c]
                am[c] = 0
            tanh_inplace(h)
        else:
            for t in range(nwords):
                for c in range(C):
                    z[c] = b0[c]
                for k in range(window):
                    j = t + k - pad
                    if j >= 0 and j < nwords:
                        src = P[a + j]
                        o = k * C
                        for c in range(C):
                            z[c] += src[o + c]
                tanh_inplace(z)
                if t == 0:
                    for c in range(C):
                        h[c] = z[c]
                        am[c] = 0
                else:
                    for c in range(C):
                        if z[c] > h[c]:
                            h[c] = z[c]
                            am[c] = t


@njit(**LOCAL)
def conv_pool_backward(dH, H0, amax, wstart, n, window, dP, gb0):
    """Gradient through max pooling, tanh and the window sums: fills ``dP``, adds to ``gb0``."""
    C = gb0.shape[0]
    pad = (window - 1) // 2
    nw = wstart[n]
    if window == 1 and nw == n:  # one word per text (DSSM): dP is the pre-activation gradient
        for i in range(n):
            d = dP[i]
            g = dH[i]
            h = H0[i]
            for c in range(C):
                d[c] = g[c] * (1 - h[c] * h[c])
                gb0[c] += d[c]
        return
    flat = dP[:nw].reshape(nw * dP.shape[1])
    for j in range(flat.shape[0]):
        flat[j] = 0
    for i in range(n):
        a = wstart[i]
        nwords = wstart[i + 1] - a
        for c in range(C):
            dz = dH[i, c] * (1 - H0[i, c] * H0[i, c])
            gb0[c] += dz
            t = amax[i, c]
            if t >= 0:
                for k in range(window):
                    j = t + k - pad
                    if j >= 0 and j < nwords:
                        dP[a + j, k * C + c] += dz


@njit(**PARALLEL)
def _accumulate_rows(gW0, touched, ends, nt, ent_w, ent_v, dP):
    width = gW0.shape[1]
    if (ends[nt - 1] if nt else 0) * width < PARALLEL_WORK:
        for s in range(nt):
            _accumulate_row(gW0, touched, ends, s, ent_w, ent_v, dP)
    else:
        for s in prange(nt):
            _accumulate_row(gW0, touched, ends, s, ent_w, ent_v, dP)


@njit(**INLINE)
def _accumulate_row(gW0, touched, ends, s, ent_w, ent_v, dP):
    width = gW0.shape[1]
    lo = 0 if s == 0 else ends[s - 1]
    g = gW0[touched[s]]
    for e in range(lo, ends[s]):
        x = ent_v[e]
        src = dP[ent_w[e]]
        for j in range(width):
            g[j] += x * src[j]


@njit(**LOCAL)
def sparse_grad(gW0, touched, ends, nt, ent_w, ent_v, dP, zl, nz, row_base):
    """``gW0 += X_batch^T dP`` on the rows of the trigrams in the batch only (one thread per row).

    The flat offsets (``row_base + v * width``) of the touched rows are appended to ``zl`` from
    position ``nz``; returns the new length.
    """
    _accumulate_rows(gW0, touched, ends, nt, ent_w, ent_v, dP)
    width = gW0.shape[1]
    for s in range(nt):
        zl[nz + s] = row_base + touched[s] * width
    return nz + nt


@njit(**LOCAL)
def _bias_tanh(out, b):
    n, m = out.shape
    for i in range(n):
        row = out[i]
        for j in range(m):
            row[j] += b[j]
        tanh_inplace(row)


@njit(**LOCAL)
def tower_forward(params, sizes, offs, window, indptr, indices, data, tptr, rows, w, mark, for_grad):
    """Forward pass of the texts ``rows`` through one tower; the (n, C_L) output block.

    With ``for_grad`` (an int64: a literal bool would compile a second specialisation) the batch's
    non-zeros are also bucketed by trigram for the backward pass.
    """
    wstart, wrow, P, dP, Z, amax, acts, deltas, aoffs, ends, touched, ent_w, ent_v, nt = w
    n = rows.shape[0]
    n_layers = sizes.shape[0] - 1
    c1 = sizes[1]
    zero = np.int64(0)  # non-literal: a literal 0 argument would compile another specialisation
    nw = zero
    nnz = zero
    for i in range(n):
        r = rows[i]
        wstart[i] = nw
        for q in range(tptr[r], tptr[r + 1]):
            wrow[nw] = q
            nw += 1
        nnz += indptr[tptr[r + 1]] - indptr[tptr[r]]
    wstart[n] = nw
    W0, b0 = layer_params(params, sizes, offs, window, zero)
    Pv = P[: nw * window * c1].reshape((nw, window * c1))
    sparse_rows(W0, indptr, indices, data, wrow, nw, nnz, Pv)
    if for_grad:
        nt[0] = bucket_by_trigram(indptr, indices, data, wrow, nw, mark, ends, touched, ent_w, ent_v)
    H0 = block(acts, aoffs[0], n, c1)
    if window == 1 and nw == n:  # DSSM: H0 = tanh(P + b0), serial (too little work for threads)
        am = block(amax, zero, n, c1)
        for i in range(n):
            h = H0[i]
            src = Pv[i]
            for c in range(c1):
                h[c] = src[c] + b0[c]
                am[i, c] = 0
            tanh_inplace(h)
    else:
        conv_pool(Pv, wstart, n, b0, window, H0, block(amax, zero, n, c1), block(Z, zero, n, c1))
    inp = H0
    for l in range(1, n_layers):
        W, b = layer_params(params, sizes, offs, window, l)
        out = block(acts, aoffs[l], n, sizes[l + 1])
        gemm(inp, W, out, False, False, 0.0)
        _bias_tanh(out, b)
        inp = out
    return inp


@njit(**LOCAL)
def tower_backward(params, grads, sizes, offs, window, n, w, zl, nz):
    """Backward pass of one tower from the output gradient already in ``deltas``' last block.

    Adds to ``grads`` (dense parts with beta=1 products, ``W_0`` sparsely from the trigram
    buckets of the forward pass); returns the new length of the touched-row list ``zl``.
    """
    wstart, wrow, P, dP, Z, amax, acts, deltas, aoffs, ends, touched, ent_w, ent_v, nt = w
    n_layers = sizes.shape[0] - 1
    c1 = sizes[1]
    for l in range(n_layers - 1, 0, -1):
        fi, fo = sizes[l], sizes[l + 1]
        A = block(acts, aoffs[l], n, fo)
        D = block(deltas, aoffs[l], n, fo)
        _times_tanh_derivative(D, A)
        gW, gb = layer_params(grads, sizes, offs, window, l)
        prev = block(acts, aoffs[l - 1], n, fi)
        gemm(prev, D, gW, True, False, 1.0)
        for i in range(n):
            row = D[i]
            for j in range(fo):
                gb[j] += row[j]
        W, _ = layer_params(params, sizes, offs, window, l)
        gemm(D, W, block(deltas, aoffs[l - 1], n, fi), False, True, 0.0)
    nw = wstart[n]
    dPv = dP[: nw * window * c1].reshape((nw, window * c1))
    zero = np.int64(0)
    gW0, gb0 = layer_params(grads, sizes, offs, window, zero)
    conv_pool_backward(block(deltas, aoffs[0], n, c1), block(acts, aoffs[0], n, c1),
                       block(amax, zero, n, c1), wstart, n, window, dPv, gb0)
    return sparse_grad(gW0, touched, ends, nt[0], ent_w, ent_v, dPv, zl, nz, offs[0])


@njit(**LOCAL)
def _times_tanh_derivative(D, A):
    n, m = D.shape
    d = D.reshape(n * m)
    a = A.reshape(n * m)
    for k in range(n * m):
        d[k] *= 1 - a[k] * a[k]


@njit(**LOCAL)
def cosine_softmax(yq, yd, k1, gamma, dq, dd, scale):
    """Softmax with smoothing ``gamma`` over the cosines of each query and its ``k1`` documents.

    Query ``i`` (row of ``yq``) goes with document rows ``i*k1 .. i*k1 + k1 - 1`` of ``yd``, the
    first one the positive. With ``R_j = cos(y_q, y_dj)`` the loss is
    ``-log(exp(gamma R_0) / sum_j exp(gamma R_j))``. Writes ``scale`` times its gradient with
    respect to ``yq`` and ``yd`` into ``dq`` and ``dd``; returns the summed loss (float64).
    Norms below 1e-12 are taken as 1e-12.
    """
    B, m = yq.shape
    R = np.empty(k1)
    dn = np.empty(k1)
    g = np.empty(k1)
    total = 0.0
    for i in range(B):
        q = yq[i]
        qq = 0.0
        for c in range(m):
            qq += np.float64(q[c]) * q[c]
        qn = max(math.sqrt(qq), 1e-12)
        mx = -np.inf
        for j in range(k1):
            d = yd[i * k1 + j]
            dot = 0.0
            dd2 = 0.0
            for c in range(m):
                dot += np.float64(q[c]) * d[c]
                dd2 += np.float64(d[c]) * d[c]
            dn[j] = max(math.sqrt(dd2), 1e-12)
            R[j] = dot / (qn * dn[j])
            mx = max(mx, gamma * R[j])
        s = 0.0
        for j in range(k1):
            g[j] = math.exp(gamma * R[j] - mx)
            s += g[j]
        total += math.log(s) + mx - gamma * R[0]
        for j in range(k1):
            g[j] = scale * gamma * (g[j] / s - (1.0 if j == 0 else 0.0))
        dqi = dq[i]
        for c in range(m):
            dqi[c] = 0
        for j in range(k1):
            d = yd[i * k1 + j]
            a = g[j] / (qn * dn[j])
            bq = g[j] * R[j] / (qn * qn)
            bd = g[j] * R[j] / (dn[j] * dn[j])
            ddj = dd[i * k1 + j]
            for c in range(m):
                dqi[c] += a * d[c] - bq * q[c]
                ddj[c] = a * q[c] - bd * d[c]
    return total


@njit(**LOCAL)
def zero_dense(grads, sizes, offs, window):
    """Zero every gradient of a tower except ``W_0`` (kept zero by the sparse bookkeeping)."""
    n_layers = sizes.shape[0] - 1
    lo = offs[0] + sizes[0] * sizes[1] * window
    hi = offs[n_layers - 1] + sizes[n_layers - 1] * sizes[n_layers] + sizes[n_layers]
    for j in range(lo, hi):
        grads[j] = 0


@njit(**LOCAL)
def batch_loss_grad(params, grads, sizes, offs_q, offs_d, window,
                    q_indptr, q_indices, q_data, q_tptr, qrows,
                    d_indptr, d_indices, d_data, d_tptr, drows, k1, gamma, scale,
                    wq, wd, mark, zl):
    """Summed loss of one batch and ``scale`` times its gradient, added into ``grads``.

    ``grads`` must be zero in the ``W_0`` blocks on entry (its other entries are zeroed here).
    Returns ``(summed loss, number of touched W_0 rows listed in zl)``.
    """
    zero_dense(grads, sizes, offs_q, window)
    if offs_d[0] != offs_q[0]:
        zero_dense(grads, sizes, offs_d, window)
    n_layers = sizes.shape[0] - 1
    m = sizes[n_layers]
    B = qrows.shape[0]
    nd = drows.shape[0]
    yq = tower_forward(params, sizes, offs_q, window, q_indptr, q_indices, q_data, q_tptr, qrows, wq,
                       mark, np.int64(1))
    yd = tower_forward(params, sizes, offs_d, window, d_indptr, d_indices, d_data, d_tptr, drows, wd,
                       mark, np.int64(1))
    dq = block(wq[7], wq[8][n_layers - 1], B, m)
    dd = block(wd[7], wd[8][n_layers - 1], nd, m)
    total = cosine_softmax(yq, yd, k1, gamma, dq, dd, scale)
    nz = tower_backward(params, grads, sizes, offs_q, window, B, wq, zl, np.int64(0))
    nz = tower_backward(params, grads, sizes, offs_d, window, nd, wd, zl, nz)
    return total, nz


@njit(**LOCAL)
def sparse_workspace(n_features):
    """``(mark, zl)``: trigram scratch (all -1) and room for the touched rows of two towers."""
    return np.full(n_features, -1, np.int64), np.empty(2 * n_features, np.int64)


@njit(**ENTRY)
def loss_grad(params, grads, sizes, offs_q, offs_d, window,
              q_indptr, q_indices, q_data, q_tptr, qrows,
              d_indptr, d_indices, d_data, d_tptr, drows, k1, gamma):
    """Mean loss over the queries ``qrows`` and its gradient into ``grads`` (overwritten)."""
    for j in prange(grads.shape[0]):
        grads[j] = 0
    B = qrows.shape[0]
    nwq, nnzq = count_words(q_tptr, q_indptr, qrows)
    nwd, nnzd = count_words(d_tptr, d_indptr, drows)
    wq = alloc_side(B, nwq, nnzq, sizes, window, params)
    wd = alloc_side(drows.shape[0], nwd, nnzd, sizes, window, params)
    mark, zl = sparse_workspace(sizes[0])
    total, nz = batch_loss_grad(params, grads, sizes, offs_q, offs_d, window,
                                q_indptr, q_indices, q_data, q_tptr, qrows,
                                d_indptr, d_indices, d_data, d_tptr, drows, k1, gamma, 1.0 / B,
                                wq, wd, mark, zl)
    return total / B


@njit(**ENTRY)
def encode(params, sizes, offs, window, indptr, indices, data, tptr, chunk):
    """Tower outputs of every text of a corpus side, ``chunk`` texts at a time: (n, C_L)."""
    n = tptr.shape[0] - 1
    n_layers = sizes.shape[0] - 1
    nwmax = np.int64(0)
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        nwmax = max(nwmax, tptr[hi] - tptr[lo])
    w = alloc_side(chunk, nwmax, 0, sizes, window, params)
    mark, _ = sparse_workspace(sizes[0])
    out = np.empty((n, sizes[n_layers]), params.dtype)
    rows = np.arange(n)
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        y = tower_forward(params, sizes, offs, window, indptr, indices, data, tptr, rows[lo:hi], w,
                          mark, np.int64(0))
        for i in prange(hi - lo):
            out[lo + i] = y[i]
    return out
