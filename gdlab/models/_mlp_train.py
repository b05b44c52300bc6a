# Kernel template: gdlab pastes this file after an optimizer's generated glue and
# models/_mlp_core.py (see gdlab._jit and gdlab.optim.compile_with); it is never imported on its
# own. Keep it free of module-level state.
#
# Free names, defined by what is pasted before it:
#   njit, np                    the generated preamble
#   opt_scalars, opt_update     the optimizer's glue (gdlab.optim.optimizer_glue)
#   _loss_grad_batch, _loss_grad_ex   models/_mlp_core.py
# Arguments: the data, the epoch order and the chunk bounds, the optimizer step t, and ``a``:
# a gdlab.models._mlp.MLPKernelArgs / MLPKernelArgsEx built by MLPKernelArgs.build (the one place
# that lists them).


# parallel=True: cached entry points that reach the (parallel) deterministic gemm, see _mlp_core.py
@njit(cache=True, nogil=True, parallel=True)
def train_batches(X, y, perm, b_start, b_stop, batch_size, t, a):
    """Mini-batches ``b_start .. b_stop - 1`` of one epoch: forward, backward, update.

    Batch ``k`` holds rows ``perm[k * batch_size : (k + 1) * batch_size]``. Each update is
    step ``t + 1`` of the optimizer, applied segment by segment (one per weight or bias
    tensor). Stops before updating if a batch loss is not finite.

    Returns ``(sum of batch loss * batch rows, rows correct, rows seen, t, bad)`` where
    ``bad`` is the index of the batch whose loss was not finite, or -1.
    """
    params, grads, state, hyper = a.params, a.grads, a.state, a.hyper
    sizes, offs, act, acts, aoffs, deltas = a.sizes, a.offs, a.act, a.acts, a.aoffs, a.deltas
    xb, yb, seg_lo, seg_hi = a.xb, a.yb, a.seg_lo, a.seg_hi
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
        loss, c = _loss_grad_batch(params, grads, sizes, offs, act, xb[:nb], yb[:nb],
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


@njit(cache=True, nogil=True, parallel=True)
def train_batches_ex(X, Y, sw, perm, b_start, b_stop, batch_size, t, a):
    """Mini-batches ``b_start .. b_stop - 1`` of one epoch with any output/loss, per-sample
    weights, an L2 penalty and dropout (see ``loss_grad_ex`` in models/_mlp_core.py).

    Batch ``k`` holds rows ``perm[k * batch_size : (k + 1) * batch_size]`` of ``X`` (n, d),
    targets ``Y`` (n, n_out) and weights ``sw`` (n,). Step ``t + 1`` of the optimizer (and
    of the dropout masks) follows each batch; non-finite losses do not stop the loop (the
    caller checks the parameters, as scikit-learn does).

    Returns ``(sum of batch loss * batch rows, rows seen, t)``, each batch loss being
    ``data / kdiv + penalty`` (``kdiv`` = n_out for the squared error, whose reported loss
    scikit-learn averages over outputs, else 1).
    """
    params, grads, state, hyper = a.params, a.grads, a.state, a.hyper
    sizes, offs, act, acts, aoffs, deltas = a.sizes, a.offs, a.act, a.acts, a.aoffs, a.deltas
    xb, yb, seg_lo, seg_hi = a.xb, a.yb, a.seg_lo, a.seg_hi
    kind, kdiv, alpha, alpha_mean = a.kind, a.kdiv, a.alpha, a.alpha_mean
    rate, seed, eps, swb = a.rate, a.seed, a.eps, a.swb
    n = perm.shape[0]
    d = X.shape[1]
    k = Y.shape[1]
    loss_sum = 0.0
    seen = 0
    for b in range(b_start, b_stop):
        lo = b * batch_size
        nb = min(lo + batch_size, n) - lo
        for i in range(nb):
            r = perm[lo + i]
            swb[i] = sw[r]
            for j in range(d):
                xb[i, j] = X[r, j]
            for j in range(k):
                yb[i, j] = Y[r, j]
        data, pen = _loss_grad_ex(params, grads, sizes, offs, act, kind, xb[:nb], yb[:nb], swb[:nb],
                                 alpha, alpha_mean, rate, seed, t + 1, eps, acts, aoffs, deltas)
        t += 1
        sc = opt_scalars(t, hyper)
        for s in range(seg_lo.shape[0]):
            opt_update(params, grads, state, hyper, sc, seg_lo[s], seg_hi[s])
        loss_sum += (data / kdiv + pen) * nb
        seen += nb
    return loss_sum, seen, t
