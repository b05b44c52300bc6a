# Kernel template: gdlab pastes this file after an optimizer's generated glue and
# models/_dssm_core.py (see gdlab._jit and gdlab.optim.compile_with); it is never imported on its
# own. Keep it free of module-level state.
#
# Free names, defined by what is pasted before it:
#   njit, np, prange                       the generated preamble
#   opt_scalars, opt_update, opt_step      the optimizer's glue (gdlab.optim.optimizer_glue)
#   gather_batch, count_words, alloc_side, sparse_workspace, batch_loss_grad, ...
#                                          models/_dssm_core.py
# Arguments: this epoch's negatives and order, the chunk bounds, the optimizer step t, and ``a``:
# a gdlab.models._dssm.DSSMKernelArgs (built in one place, _train in models/_dssm.py).


# parallel=True, like every cached entry point that calls parallel code (see _dssm_core.py).
@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def train_batches(negs, perm, b_start, b_stop, t, a):
    """Mini-batches ``b_start .. b_stop - 1`` of one epoch: forward, backward, update.

    Batch ``k`` holds the (question, positive sentence) pairs ``perm[k * batch_size : (k + 1) *
    batch_size]``; pair ``p`` is scored against its positive ``pair_d[p]`` and the sampled
    negatives ``negs[p]``. Each update is step ``t + 1`` of the optimizer, applied to the whole
    flat vector by the glue's ``opt_step`` (parallel over elements; over the tensors
    ``[seg_lo[k], seg_hi[k])`` for whole-kernel rules). ``grads`` must be zero in the ``W_0`` blocks on entry and is
    left so. Stops before updating if a batch loss is not finite.

    Returns ``(sum of per-pair losses, pairs seen, t, bad)`` where ``bad`` is the index of the
    batch whose loss was not finite, or -1.
    """
    q_indptr, q_indices, q_data, q_tptr = a.q_indptr, a.q_indices, a.q_data, a.q_tptr
    d_indptr, d_indices, d_data, d_tptr = a.d_indptr, a.d_indices, a.d_data, a.d_tptr
    pair_q, pair_d, batch_size, gamma = a.pair_q, a.pair_d, a.batch_size, a.gamma
    params, grads, state, hyper = a.params, a.grads, a.state, a.hyper
    sizes, offs_q, offs_d, window, seg_lo, seg_hi = a.sizes, a.offs_q, a.offs_d, a.window, a.seg_lo, a.seg_hi
    n = perm.shape[0]
    k1 = negs.shape[1] + 1
    width = sizes[1] * window
    qrows = np.empty(batch_size, np.int64)
    drows = np.empty(batch_size * k1, np.int64)
    # Size the work buffers for the largest batch of this chunk.
    nwq = nwd = nnzq = nnzd = np.int64(0)  # non-literal zeros: no extra specialisations
    for k in range(b_start, b_stop):
        lo = k * batch_size
        nb = min(lo + batch_size, n) - lo
        gather_batch(perm, lo, nb, pair_q, pair_d, negs, qrows, drows)
        a, b = count_words(q_tptr, q_indptr, qrows[:nb])
        c, d = count_words(d_tptr, d_indptr, drows[: nb * k1])
        nwq, nwd, nnzq, nnzd = max(nwq, a), max(nwd, c), max(nnzq, b), max(nnzd, d)
    wq = alloc_side(batch_size, nwq, nnzq, sizes, window, params)
    wd = alloc_side(batch_size * k1, nwd, nnzd, sizes, window, params)
    mark, zl = sparse_workspace(sizes[0])
    loss_sum = 0.0
    seen = np.int64(0)
    for k in range(b_start, b_stop):
        lo = k * batch_size
        nb = min(lo + batch_size, n) - lo
        gather_batch(perm, lo, nb, pair_q, pair_d, negs, qrows, drows)
        loss, nz = batch_loss_grad(params, grads, sizes, offs_q, offs_d, window,
                                   q_indptr, q_indices, q_data, q_tptr, qrows[:nb],
                                   d_indptr, d_indices, d_data, d_tptr, drows[: nb * k1],
                                   k1, gamma, 1.0 / nb, wq, wd, mark, zl)
        finite = np.isfinite(loss)
        if finite:
            t += 1
            opt_step(params, grads, state, hyper, t, seg_lo, seg_hi)
            loss_sum += loss
            seen += nb
        for z in prange(nz):  # keep the W_0 blocks of grads zero
            o = zl[z]
            for j in range(width):
                grads[o + j] = 0
        if not finite:
            return loss_sum, seen, t, k
    return loss_sum, seen, t, -1
