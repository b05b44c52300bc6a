# Kernel template (see gdlab._jit.kernel_module): pasted after the generated preamble, which
# defines np, math, njit, gemm and sumsq. Never imported on its own.
"""Compiled pieces of the multilayer perceptron on one flat parameter vector.

Layout: layer ``l`` (0-based) maps ``sizes[l]`` inputs to ``sizes[l + 1]`` outputs; its weight
matrix ``W_l`` of shape (sizes[l], sizes[l+1]), C order, starts at ``offs[l]`` in the flat
vector and its bias ``b_l`` of shape (sizes[l+1],) follows it. Layer outputs (and the
backpropagated deltas) of a batch of ``n`` rows live in flat work buffers, layer ``l`` at
``aoffs[l]`` as an (n, sizes[l+1]) block. Hidden layers apply the activation in place; the
last layer's outputs are logits. Derivatives are computed from the activations themselves
(relu: a > 0, tanh: 1 - a², logistic: a(1 - a)), as scikit-learn does, so no pre-activation
buffer is kept.
"""

from gdlab._config import jit_options
from gdlab.models._codes import IDENTITY, LOGISTIC, RELU, TANH
from gdlab.models._outputs import OUT_EXP, OUT_IDENTITY, OUT_LOGISTIC, OUT_SOFTMAX

# Caching (as in models/_dssm_core.py): the deterministic gemm is parallel, and Numba 0.68
# does not reload a parallel callee's parfors for a cached caller (numba #8578, #10128). So
# everything on the way to a gemm is compiled into its callers (LOCAL), and the entry points
# called from Python or from other templates are cached and parallel=True (ENTRY).
ENTRY = jit_options(parallel=True)
LOCAL = jit_options(cache=False)


@njit(**LOCAL)
def layer_params(params, sizes, offs, l):
    """Views ``(W, b)`` of layer ``l`` inside the flat vector ``params``."""
    fi, fo, o = sizes[l], sizes[l + 1], offs[l]
    return params[o : o + fi * fo].reshape((fi, fo)), params[o + fi * fo : o + fi * fo + fo]


@njit(**LOCAL)
def block(buf, off, n, width):
    """(n, width) C-ordered view of the flat work buffer ``buf`` starting at ``off``."""
    return buf[off : off + n * width].reshape((n, width))


@njit(**LOCAL)
def _bias_activate(out, b, act):
    n, m = out.shape
    for i in range(n):
        row = out[i]
        for j in range(m):
            row[j] += b[j]
    flat = out.reshape(n * m)
    if act == RELU:
        for k in range(n * m):
            if flat[k] < 0:
                flat[k] = 0
    elif act == TANH:
        for k in range(n * m):
            flat[k] = math.tanh(flat[k])
    elif act == LOGISTIC:
        for k in range(n * m):
            flat[k] = 1.0 / (1.0 + math.exp(-flat[k]))


@njit(**LOCAL)
def _times_derivative(delta, a, act):
    """delta *= f'(z), with f'(z) written in terms of a = f(z)."""
    n, m = delta.shape
    d = delta.reshape(n * m)
    f = a.reshape(n * m)
    if act == RELU:
        for k in range(n * m):
            if f[k] <= 0:
                d[k] = 0
    elif act == TANH:
        for k in range(n * m):
            d[k] *= 1 - f[k] * f[k]
    elif act == LOGISTIC:
        for k in range(n * m):
            d[k] *= f[k] * (1 - f[k])


@njit(**LOCAL)
def forward(params, sizes, offs, act, X, acts, aoffs):
    """Forward pass of the rows of ``X`` (n, sizes[0]); returns the (n, sizes[-1]) logits."""
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    inp = X
    for l in range(n_layers):
        W, b = layer_params(params, sizes, offs, l)
        out = block(acts, aoffs[l], n, sizes[l + 1])
        gemm(inp, W, out, False, False, 0.0)
        _bias_activate(out, b, act if l < n_layers - 1 else IDENTITY)
        inp = out
    return inp


@njit(**jit_options())
def softmax_xent(logits, y, delta, scale):
    """Softmax cross-entropy of each row against its label.

    Writes ``delta = scale * (softmax(logits) - onehot(y))`` (the gradient of
    ``scale * sum(loss)`` with respect to the logits) and returns ``(sum of losses, number
    of rows whose arg-max equals the label)``, accumulated in float64.
    """
    n, k = logits.shape
    flush = np.sqrt(np.finfo(delta.dtype).tiny)
    total = 0.0
    correct = 0
    for i in range(n):
        z = logits[i]
        m = np.float64(z[0])
        best = 0
        for j in range(1, k):
            if z[j] > m:
                m = np.float64(z[j])
                best = j
        s = 0.0
        for j in range(k):
            e = math.exp(np.float64(z[j]) - m)
            delta[i, j] = e
            s += e
        total += math.log(s) + m - z[y[i]]
        inv = scale / s
        for j in range(k):
            v = delta[i, j] * inv
            # Flush probabilities below sqrt(smallest normal) (1e-19 in float32) to zero: a
            # well-fitted row gives 1e-40, and once they are multiplied back through the
            # layers, subnormal floats make every product ~50x slower. The flushed values are
            # far below what a float32 weight update can resolve.
            delta[i, j] = v if v > flush else 0.0
        delta[i, y[i]] -= scale
        if best == y[i]:
            correct += 1
    return total, correct


@njit(**LOCAL)
def backward(params, grads, sizes, offs, act, X, acts, aoffs, deltas):
    """Backpropagate the last layer's delta (already in ``deltas``) and fill ``grads``."""
    n = X.shape[0]
    for l in range(sizes.shape[0] - 2, -1, -1):
        fi, fo = sizes[l], sizes[l + 1]
        d = block(deltas, aoffs[l], n, fo)
        inp = X if l == 0 else block(acts, aoffs[l - 1], n, fi)
        gW, gb = layer_params(grads, sizes, offs, l)
        gemm(inp, d, gW, True, False, 0.0)
        gb[:] = 0
        for i in range(n):
            row = d[i]
            for j in range(fo):
                gb[j] += row[j]
        if l > 0:
            W, _ = layer_params(params, sizes, offs, l)
            dp = block(deltas, aoffs[l - 1], n, fi)
            gemm(d, W, dp, False, True, 0.0)
            _times_derivative(dp, inp, act)


@njit(**LOCAL)
def _loss_grad_batch(params, grads, sizes, offs, act, X, y, acts, aoffs, deltas):
    """Mean softmax cross-entropy of the batch ``(X, y)``, its gradient into ``grads``.

    Returns ``(mean loss, number correct)``.
    """
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    logits = forward(params, sizes, offs, act, X, acts, aoffs)
    d = block(deltas, aoffs[n_layers - 1], n, sizes[n_layers])
    total, correct = softmax_xent(logits, y, d, 1.0 / n)
    backward(params, grads, sizes, offs, act, X, acts, aoffs, deltas)
    return total / n, correct


@njit(**ENTRY)
def loss_grad_batch(params, grads, sizes, offs, act, X, y, acts, aoffs, deltas):
    """Mean softmax cross-entropy of the batch ``(X, y)``, its gradient into ``grads``.

    Returns ``(mean loss, number correct)`` (the cached entry point of ``_loss_grad_batch``).
    """
    return _loss_grad_batch(params, grads, sizes, offs, act, X, y, acts, aoffs, deltas)


@njit(**ENTRY)
def evaluate(params, sizes, offs, act, X, y, chunk):
    """Summed loss and number correct over all rows of ``X``, ``chunk`` rows at a time."""
    n_layers = sizes.shape[0] - 1
    aoffs = np.zeros(n_layers, np.int64)
    for l in range(1, n_layers):
        aoffs[l] = aoffs[l - 1] + chunk * sizes[l]
    acts = np.empty(aoffs[-1] + chunk * sizes[n_layers], X.dtype)
    delta = np.empty((chunk, sizes[n_layers]), X.dtype)
    total = 0.0
    correct = 0
    for lo in range(0, X.shape[0], chunk):
        hi = min(lo + chunk, X.shape[0])
        logits = forward(params, sizes, offs, act, X[lo:hi], acts, aoffs)
        s, c = softmax_xent(logits, y[lo:hi], delta[: hi - lo], 0.0)
        total += s
        correct += c
    return total, correct


@njit(**ENTRY)
def predict_logits(params, sizes, offs, act, X, chunk):
    """Logits of every row of ``X`` as an (n, sizes[-1]) array, ``chunk`` rows at a time."""
    n_layers = sizes.shape[0] - 1
    aoffs = np.zeros(n_layers, np.int64)
    for l in range(1, n_layers):
        aoffs[l] = aoffs[l - 1] + chunk * sizes[l]
    acts = np.empty(aoffs[-1] + chunk * sizes[n_layers], X.dtype)
    out = np.empty((X.shape[0], sizes[n_layers]), X.dtype)
    for lo in range(0, X.shape[0], chunk):
        hi = min(lo + chunk, X.shape[0])
        out[lo:hi] = forward(params, sizes, offs, act, X[lo:hi], acts, aoffs)
    return out


# ---- general outputs and losses, L2 penalty, dropout, sample weights -----------------------
# Used by the scikit-learn-compatible estimators (gdlab.sklearn) and the classical models
# (gdlab.models._linear). The functions above (softmax cross-entropy against integer labels)
# stay the path of gdlab.training.train, untouched.


@njit(**jit_options())
def _mix64(x):
    """splitmix64 finaliser of a uint64 (Steele, Lea & Flood, OOPSLA 2014)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(**jit_options())
def dropout_base(seed, step, layer):
    """Hash key of the dropout mask of hidden layer ``layer`` at optimizer step ``step``."""
    x = _mix64(np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15) * np.uint64(step + 1))
    return _mix64(x ^ (np.uint64(0xD1B54A32D192ED03) * np.uint64(layer + 1)))


@njit(**jit_options())
def dropout_uniform(base, k):
    """Uniform number in [0, 1) of element ``k`` (row-major index in the layer's batch block).

    A counter-based generator (splitmix64 of ``base + k * golden``): the forward pass, the
    backward pass and any rerun see the same mask without storing it.
    """
    # (a key that came through Python below 2**63 arrives as int64: int64 + uint64 is float64)
    x = _mix64(np.uint64(base) + np.uint64(0x9E3779B97F4A7C15) * np.uint64(k + 1))
    return np.float64(x >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**jit_options())
def _dropout_forward(out, rate, base):
    """Inverted dropout in place: zero each unit with probability ``rate``, scale the rest
    by 1 / (1 - rate) (Srivastava et al., JMLR 15, 2014)."""
    n, m = out.shape
    flat = out.reshape(n * m)
    scale = 1.0 / (1.0 - rate)
    for k in range(n * m):
        if dropout_uniform(base, k) < rate:
            flat[k] = 0
        else:
            flat[k] *= scale


@njit(**LOCAL)
def _times_derivative_dropout(delta, a, act, rate, base):
    """delta *= d(dropout(f(z)))/dz, with ``a`` the dropped-out, rescaled activations."""
    n, m = delta.shape
    d = delta.reshape(n * m)
    f = a.reshape(n * m)
    scale = 1.0 / (1.0 - rate)
    for k in range(n * m):
        if dropout_uniform(base, k) < rate:
            d[k] = 0
            continue
        if act == RELU:
            if f[k] <= 0:
                d[k] = 0
            else:
                d[k] *= scale
        elif act == TANH:
            a0 = f[k] * (1.0 - rate)
            d[k] *= scale * (1 - a0 * a0)
        elif act == LOGISTIC:
            a0 = f[k] * (1.0 - rate)
            d[k] *= scale * a0 * (1 - a0)
        else:
            d[k] *= scale


@njit(**LOCAL)
def forward_ex(params, sizes, offs, act, X, acts, aoffs, rate, seed, step):
    """Forward pass with inverted dropout of rate ``rate`` after every hidden activation
    (masks keyed by ``seed`` and ``step``; none when ``rate == 0``). Returns the (n, sizes[-1])
    pre-activations ``z`` of the output layer."""
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    inp = X
    for l in range(n_layers):
        W, b = layer_params(params, sizes, offs, l)
        out = block(acts, aoffs[l], n, sizes[l + 1])
        gemm(inp, W, out, False, False, 0.0)
        if l < n_layers - 1:
            _bias_activate(out, b, act)
            if rate > 0.0:
                _dropout_forward(out, rate, dropout_base(seed, step, l))
        else:
            _bias_activate(out, b, IDENTITY)
        inp = out
    return inp


@njit(**LOCAL)
def _xlogy(x, y):
    return 0.0 if x == 0 else x * math.log(y)


@njit(**LOCAL)
def output_loss(z, Y, sw, kind, delta, scale, eps):
    """Canonical loss of output ``kind`` (see gdlab.models._outputs) and its gradient in ``z``.

    ``z`` and ``Y`` are (n, k); row ``i`` has weight ``sw[i]``. Writes
    ``delta[i, j] = scale * sw[i] * (out(z)[i, j] - Y[i, j])`` and returns
    ``sum_i sw[i] * loss_i`` in float64, with scikit-learn's per-row losses (``neural_network._base``):
    half squared error summed over outputs, log loss and binary log loss of probabilities
    clipped to [eps, 1 - eps], half Poisson deviance ``xlogy(y, y/p) - y + p``. The clipping
    acts on the loss value only, not on the gradient (as in scikit-learn).
    """
    n, k = z.shape
    flush = np.sqrt(np.finfo(delta.dtype).tiny)
    total = 0.0
    for i in range(n):
        w = np.float64(sw[i])
        ws = w * scale
        li = 0.0
        if kind == OUT_SOFTMAX:
            m = np.float64(z[i, 0])
            for j in range(1, k):
                if z[i, j] > m:
                    m = np.float64(z[i, j])
            s = 0.0
            for j in range(k):
                e = math.exp(np.float64(z[i, j]) - m)
                delta[i, j] = e
                s += e
            for j in range(k):
                p = delta[i, j] / s
                y = np.float64(Y[i, j])
                if y != 0:
                    li -= y * math.log(min(max(p, eps), 1.0 - eps))
                v = ws * p
                # subnormal products make every later matrix product ~50x slower (see softmax_xent)
                if abs(v) < flush:
                    v = 0.0
                delta[i, j] = v - ws * y
        elif kind == OUT_LOGISTIC:
            for j in range(k):
                p = 1.0 / (1.0 + math.exp(-np.float64(z[i, j])))
                y = np.float64(Y[i, j])
                pc = min(max(p, eps), 1.0 - eps)
                li -= _xlogy(y, pc) + _xlogy(1.0 - y, 1.0 - pc)
                v = ws * p
                if abs(v) < flush:
                    v = 0.0
                delta[i, j] = v - ws * y
        elif kind == OUT_EXP:
            for j in range(k):
                p = math.exp(np.float64(z[i, j]))
                y = np.float64(Y[i, j])
                li += (_xlogy(y, y / p) if y != 0 else 0.0) - y + p
                delta[i, j] = ws * (p - y)
        else:  # OUT_IDENTITY: half squared error
            for j in range(k):
                r = np.float64(z[i, j]) - np.float64(Y[i, j])
                li += 0.5 * r * r
                delta[i, j] = ws * r
        total += w * li
    return total


@njit(**LOCAL)
def backward_ex(params, grads, sizes, offs, act, X, acts, aoffs, deltas, rate, seed, step, beta):
    """Backpropagate the output delta (already in ``deltas``) through layers with dropout.

    ``grads = beta * grads + gradient`` (``beta`` 0 or 1: 1 accumulates chunk after chunk).
    """
    n = X.shape[0]
    for l in range(sizes.shape[0] - 2, -1, -1):
        fi, fo = sizes[l], sizes[l + 1]
        d = block(deltas, aoffs[l], n, fo)
        inp = X if l == 0 else block(acts, aoffs[l - 1], n, fi)
        gW, gb = layer_params(grads, sizes, offs, l)
        gemm(inp, d, gW, True, False, beta)
        if beta == 0.0:
            gb[:] = 0
        for i in range(n):
            row = d[i]
            for j in range(fo):
                gb[j] += row[j]
        if l > 0:
            W, _ = layer_params(params, sizes, offs, l)
            dp = block(deltas, aoffs[l - 1], n, fi)
            gemm(d, W, dp, False, True, 0.0)
            if rate > 0.0:
                _times_derivative_dropout(dp, inp, act, rate, dropout_base(seed, step, l - 1))
            else:
                _times_derivative(dp, inp, act)


@njit(**LOCAL)
def l2_penalty_grad(params, grads, sizes, offs, coef):
    """``grads += coef * W`` for every weight matrix (biases are not penalised); returns the
    sum of squared weights in float64 (0.0 without touching anything when ``coef == 0``)."""
    if coef == 0.0:
        return 0.0
    c = grads.dtype.type(coef)
    sq = 0.0
    for l in range(sizes.shape[0] - 1):
        o = offs[l]
        nw = sizes[l] * sizes[l + 1]
        W = params[o : o + nw]
        G = grads[o : o + nw]
        for q in range(nw):  # a loop of its own, so that it vectorises
            G[q] += c * W[q]
        # sumsq (see gdlab._blas): BLAS dot in the parameters' dtype as scikit-learn's
        # np.dot(s, s), or the deterministic fixed-order float64 sum
        sq += sumsq(W)
    return sq


@njit(**LOCAL)
def _loss_grad_ex(params, grads, sizes, offs, act, kind, X, Y, sw, alpha, alpha_mean, rate, seed,
                 step, eps, acts, aoffs, deltas):
    """Weighted loss of one batch and its gradient into ``grads``.

    The objective is ``sum_i sw_i loss_i / S + 0.5 * c * sum(W**2)`` with ``S = sum(sw)``
    and ``c = alpha / S`` when ``alpha_mean`` (scikit-learn's MLP: the L2 term divided by the
    batch's sample-weight sum) or ``c = alpha`` (a fixed weight decay, D2L 3.7). A batch whose
    weights sum to 0 contributes nothing. Returns ``(data term, penalty term)``.
    """
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    sw_sum = 0.0
    for i in range(n):
        sw_sum += sw[i]
    inv = 1.0 / sw_sum if sw_sum != 0.0 else 0.0
    z = forward_ex(params, sizes, offs, act, X, acts, aoffs, rate, seed, step)
    d = block(deltas, aoffs[n_layers - 1], n, sizes[n_layers])
    data = output_loss(z, Y, sw, kind, d, inv, eps) * inv
    backward_ex(params, grads, sizes, offs, act, X, acts, aoffs, deltas, rate, seed, step, 0.0)
    coef = alpha * inv if alpha_mean else alpha
    sq = l2_penalty_grad(params, grads, sizes, offs, coef)
    return data, 0.5 * coef * sq


@njit(**ENTRY)
def loss_grad_ex(params, grads, sizes, offs, act, kind, X, Y, sw, alpha, alpha_mean, rate, seed,
                 step, eps, acts, aoffs, deltas):
    """Cached entry point of ``_loss_grad_ex`` (same arguments and result)."""
    return _loss_grad_ex(params, grads, sizes, offs, act, kind, X, Y, sw, alpha, alpha_mean, rate,
                         seed, step, eps, acts, aoffs, deltas)


@njit(**LOCAL)
def _chunk_buffers(sizes, chunk, dtype_like):
    n_layers = sizes.shape[0] - 1
    aoffs = np.zeros(n_layers, np.int64)
    for l in range(1, n_layers):
        aoffs[l] = aoffs[l - 1] + chunk * sizes[l]
    total = aoffs[-1] + chunk * sizes[n_layers]
    return np.empty(total, dtype_like.dtype), aoffs, np.empty(total, dtype_like.dtype)


@njit(**ENTRY)
def loss_grad_full(params, grads, sizes, offs, act, kind, X, Y, sw, alpha, eps, chunk):
    """:func:`loss_grad_ex` over all rows at once (no dropout; ``alpha`` divided by the weight
    sum as in scikit-learn), ``chunk`` rows at a time; for full-batch solvers (L-BFGS)."""
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    acts, aoffs, deltas = _chunk_buffers(sizes, min(chunk, n), X)
    sw_sum = 0.0
    for i in range(n):
        sw_sum += sw[i]
    inv = 1.0 / sw_sum if sw_sum != 0.0 else 0.0
    data = 0.0
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        z = forward_ex(params, sizes, offs, act, X[lo:hi], acts, aoffs, 0.0, 0, 0)
        d = block(deltas, aoffs[n_layers - 1], hi - lo, sizes[n_layers])
        data += output_loss(z, Y[lo:hi], sw[lo:hi], kind, d, inv, eps)
        backward_ex(params, grads, sizes, offs, act, X[lo:hi], acts, aoffs, deltas, 0.0, 0, 0,
                    0.0 if lo == 0 else 1.0)
    coef = alpha * inv
    sq = l2_penalty_grad(params, grads, sizes, offs, coef)
    return data * inv, 0.5 * coef * sq


@njit(**ENTRY)
def predict_out(params, sizes, offs, act, kind, X, chunk):
    """Outputs ``out(z)`` (softmax, logistic, exp or identity) of every row of ``X``, as an
    (n, sizes[-1]) array of X's dtype, ``chunk`` rows at a time (no dropout)."""
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    k = sizes[n_layers]
    acts, aoffs, _ = _chunk_buffers(sizes, max(min(chunk, n), 1), X)
    out = np.empty((n, k), X.dtype)
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        z = forward_ex(params, sizes, offs, act, X[lo:hi], acts, aoffs, 0.0, 0, 0)
        for i in range(hi - lo):
            if kind == OUT_SOFTMAX:
                m = np.float64(z[i, 0])
                for j in range(1, k):
                    if z[i, j] > m:
                        m = np.float64(z[i, j])
                s = 0.0
                for j in range(k):
                    s += math.exp(np.float64(z[i, j]) - m)
                for j in range(k):
                    out[lo + i, j] = math.exp(np.float64(z[i, j]) - m) / s
            elif kind == OUT_LOGISTIC:
                for j in range(k):
                    out[lo + i, j] = 1.0 / (1.0 + math.exp(-np.float64(z[i, j])))
            elif kind == OUT_EXP:
                for j in range(k):
                    out[lo + i, j] = math.exp(np.float64(z[i, j]))
            else:
                for j in range(k):
                    out[lo + i, j] = z[i, j]
    return out
