# Kernel template: gdlab pastes this file after an optimizer's generated glue (which defines
# ``opt_scalars`` and ``opt_update``) and models/_mlp_core.py, see gdlab._jit and gdlab.optim.compile_with. It is never
# imported on its own. Keep it free of module-level state.


@njit(cache=True, nogil=True)
def train_batches(X, y, perm, b_start, b_stop, batch_size, params, grads, state, hyper, t,
                  sizes, offs, act, acts, aoffs, deltas, xb, yb, seg_lo, seg_hi):
    """Mini-batches ``b_start .. b_stop - 1`` of one epoch: forward, backward, update.

    Batch ``k`` holds rows ``perm[k * batch_size : (k + 1) * batch_size]``. Each update is
    step ``t + 1`` of the optimizer, applied segment by segment (one per weight or bias
    tensor). Stops before updating if a batch loss is not finite.

    Returns ``(sum of batch loss * batch rows, rows correct, rows seen, t, bad)`` where
    ``bad`` is the index of the batch whose loss was not finite, or -1.
    """
    n = perm.shape[0]
    d = X.shape[1]
    loss_sum = 0.0
    correct = 0
    seen = 0
    for k in range(b_start, b_stop):
        lo = k * batch_size
        nb = min(lo + batch_size, n) - lo
        for i in range(nb):
            r = perm[lo + i]
            yb[i] = y[r]
            for j in range(d):
                xb[i, j] = X[r, j]
        loss, c = loss_grad_batch(params, grads, sizes, offs, act, xb[:nb], yb[:nb],
                                  acts, aoffs, deltas)
        if not np.isfinite(loss):
            return loss_sum, correct, seen, t, k
        t += 1
        sc = opt_scalars(t, hyper)
        for s in range(seg_lo.shape[0]):
            opt_update(params, grads, state, hyper, sc, seg_lo[s], seg_hi[s])
        loss_sum += loss * nb
        correct += c
        seen += nb
    return loss_sum, correct, seen, t, -1
