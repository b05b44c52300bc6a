# Kernel template (see gdlab._jit.kernel_module): pasted after the generated preamble, which
# defines np, math, njit and gemm. Never imported on its own.
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


@njit(**jit_options())
def layer_params(params, sizes, offs, l):
    """Views ``(W, b)`` of layer ``l`` inside the flat vector ``params``."""
    fi, fo, o = sizes[l], sizes[l + 1], offs[l]
    return params[o : o + fi * fo].reshape((fi, fo)), params[o + fi * fo : o + fi * fo + fo]


@njit(**jit_options())
def block(buf, off, n, width):
    """(n, width) C-ordered view of the flat work buffer ``buf`` starting at ``off``."""
    return buf[off : off + n * width].reshape((n, width))


@njit(**jit_options())
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


@njit(**jit_options())
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


@njit(**jit_options())
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


@njit(**jit_options())
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


@njit(**jit_options())
def loss_grad_batch(params, grads, sizes, offs, act, X, y, acts, aoffs, deltas):
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


@njit(**jit_options())
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


@njit(**jit_options())
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
