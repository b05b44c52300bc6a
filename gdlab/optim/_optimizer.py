"""NumPy-facing optimizer: create by name, step a flat parameter vector in place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numba import njit, prange

from .._config import jit_options
from ._compile import compile_with, cuda_kernels
from ._spec import OptimizerSpec

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_NONFINITE = ("raise", "skip", "ignore")
_BACKENDS = ("auto", "cpu", "cuda")
#: CPU steps of fewer parameters than this run serially (``opt_update``), larger ones in
#: parallel (``opt_step``); the arithmetic is the same.
SERIAL_BELOW = 16384


@njit(**jit_options(parallel=True))
def _count_nonfinite(x):
    bad = 0
    for i in prange(x.shape[0]):
        if not np.isfinite(x[i]):
            bad += 1
    return bad


def _is_device_array(a) -> bool:
    if isinstance(a, np.ndarray) or not hasattr(a, "copy_to_host"):
        return False
    from numba import cuda

    return cuda.devicearray.is_cuda_ndarray(a)  # real device arrays and the simulator's


def check_flat(name: str, a, dtype=None, *, writable: bool = False):
    """Validate a flat, non-empty, C-contiguous float32/float64 vector (NumPy or CUDA device).

    Raises
    ------
    TypeError
        Not an array, or a dtype other than float32/float64 (or other than ``dtype``).
    ValueError
        Not 1-D, empty, not C-contiguous, or read-only when ``writable``.
    """
    device = _is_device_array(a)
    if not (isinstance(a, np.ndarray) or device):
        raise TypeError(f"{name} must be a numpy.ndarray or a CUDA device array, got {type(a).__name__}")
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D (a flat parameter vector), got shape {a.shape}")
    if np.dtype(a.dtype) not in _FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {a.dtype}")
    if dtype is not None and np.dtype(a.dtype) != dtype:
        raise TypeError(f"{name} has dtype {a.dtype}, expected {dtype} like the parameters")
    if a.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if not device:
        if not a.flags.c_contiguous:
            raise ValueError(f"{name} must be C-contiguous (use numpy.ascontiguousarray)")
        if writable and not a.flags.writeable:
            raise ValueError(f"{name} is read-only; the optimizer updates it in place")
    elif not a.is_c_contiguous():
        raise ValueError(f"{name} must be C-contiguous")
    return a


class Optimizer:
    """An optimizer rule with validated hyperparameters and its per-element state.

    Parameters
    ----------
    spec : OptimizerSpec
        The rule (see :func:`gdlab.optim.get_spec` to look one up by name).
    preset : str, optional
        Library whose version of the rule and defaults to use: ``"torch"`` (default),
        ``"keras"``, ``"optax"`` or ``"sklearn"`` where the optimizer has it.
    backend : {"auto", "cpu", "cuda"}, default "auto"
        ``"auto"`` runs on the GPU when the arrays given to :meth:`step` are CUDA device
        arrays and on the CPU otherwise; ``"cuda"`` requires a GPU (or the CUDA simulator).
    on_nonfinite : {"raise", "skip", "ignore"}, default "raise"
        What a gradient holding NaN or inf does: raise :class:`FloatingPointError` (nothing
        changes), skip the step (nothing changes; counted in :attr:`skipped_steps`), or
        nothing (no check: one less pass over the gradient).
    **hyper
        Hyperparameters; missing ones take the preset's defaults. ``betas=(b1, b2)`` is
        accepted for ``beta1``/``beta2`` as in PyTorch.

    Attributes
    ----------
    hyper : dict
        Validated hyperparameters, in rule order.
    active : tuple of str
        State slots this configuration uses (PyTorch allocates no buffer it does not need).
    state : ndarray of shape (len(active), n_params) or None
        Per-element state, rows named by ``active``, created by the first :meth:`step`.
    t : int
        Number of steps taken (PyTorch's ``step``).

    Raises
    ------
    ValueError
        For an unknown preset, backend, policy or hyperparameter, or an invalid value
        (PyTorch-style message naming it), or CUDA asked for and not available.
    """

    def __init__(self, spec: OptimizerSpec, *, preset: str | None = None, backend: str = "auto",
                 on_nonfinite: str = "raise", **hyper):
        if "betas" in hyper and "beta1" in spec.hyper:
            betas = hyper.pop("betas")
            if not isinstance(betas, (tuple, list)) or len(betas) != 2:
                raise ValueError(f"{spec.name}: betas must be a pair (beta1, beta2), got {betas!r}")
            hyper.update(beta1=betas[0], beta2=betas[1])
        if backend not in _BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(_BACKENDS)}, got {backend!r}")
        if on_nonfinite not in _NONFINITE:
            raise ValueError(f"on_nonfinite must be one of {', '.join(_NONFINITE)}, got {on_nonfinite!r}")
        if backend == "cuda":
            _require_cuda()
        self.spec = spec.with_preset(preset)
        self.backend = backend
        self.on_nonfinite = on_nonfinite
        self.hyper = self.spec.validate(**hyper)
        self.hyper_array = self.spec.hyper_array(self.hyper)
        self.active = self.spec.active(self.hyper)
        self.state = None
        self.t = 0
        self.skipped_steps = 0
        self._hyper_dev = None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"Optimizer({self.spec.name}[{self.spec.preset}]: {args})"

    # -- state -------------------------------------------------------------------------
    def init_state(self, n: int, dtype=np.float32) -> np.ndarray:
        """Fresh state of shape ``(len(active), n)`` with the spec's initial values; t = 0."""
        init = self.spec.initial_state(self.hyper)
        self.state = np.empty((len(self.active), n), dtype=dtype)
        for r, slot in enumerate(self.active):
            self.state[r] = init[slot]
        self.t = 0
        return self.state

    def state_dict(self) -> dict:
        """Snapshot with PyTorch's key names: ``step`` and one array per active slot
        (``exp_avg``, ``exp_avg_sq``, ``momentum_buffer``, ...), plus ``optimizer``,
        ``preset`` and ``hyper``. Arrays are copies (host arrays, also for CUDA state)."""
        d = {"optimizer": self.spec.name, "preset": self.spec.preset, "hyper": dict(self.hyper),
             "step": self.t}
        if self.state is not None:
            host = self.state if isinstance(self.state, np.ndarray) else self.state.copy_to_host()
            for r, slot in enumerate(self.active):
                d[slot] = np.array(host[r], copy=True)
        return d

    def load_state_dict(self, d: dict) -> None:
        """Restore a :meth:`state_dict` (same optimizer and preset; hyperparameters too).

        A dict saved before the first step (no state arrays, ``step`` 0) restores an optimizer
        without state, as it was.

        Raises
        ------
        ValueError
            If the dict is for another optimizer or preset, misses a slot, has a ``step`` that
            is not an integer >= 0, or state arrays that are not 1-D float32/float64 arrays of
            one length and dtype.
        """
        for key in ("optimizer", "preset", "hyper", "step"):
            if key not in d:
                raise ValueError(f"state dict has no {key!r} entry")
        if d["optimizer"] != self.spec.name or d["preset"] != self.spec.preset:
            raise ValueError(f"state dict is for {d['optimizer']}[{d['preset']}], "
                             f"not {self.spec.name}[{self.spec.preset}]")
        step = d["step"]
        if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"state dict 'step' must be an integer >= 0, got {step!r}")
        hyper = self.spec.validate(**d["hyper"])
        active = self.spec.active(hyper)
        present = [s for s in active if s in d]
        if present or step:
            missing = [s for s in active if s not in d]
            if missing:
                raise ValueError(f"state dict misses the state slot(s) {missing}")
        arrays = [np.asarray(d[s]) for s in present]
        for s, a in zip(present, arrays):
            if a.ndim != 1 or a.dtype not in (np.float32, np.float64):
                raise ValueError(f"state slot {s!r} must be a 1-D float32 or float64 array, "
                                 f"got shape {a.shape} and dtype {a.dtype}")
        if arrays and len({(a.shape, a.dtype) for a in arrays}) != 1:
            raise ValueError(f"state arrays differ in shape or dtype: "
                             f"{[(a.shape, str(a.dtype)) for a in arrays]}")
        self.hyper, self.active = hyper, active
        self.hyper_array = self.spec.hyper_array(hyper)
        self._hyper_dev = None
        self.t = int(step)
        self.state = np.stack(arrays) if arrays else None

    def save(self, path) -> Path:
        """Write :meth:`state_dict` to an ``.npz`` file (also before the first step)."""
        import json

        d = self.state_dict()
        arrays = {k: v for k, v in d.items() if isinstance(v, np.ndarray)}
        meta = {k: v for k, v in d.items() if not isinstance(v, np.ndarray)}
        path = Path(path)
        np.savez(path, __meta__=np.array(json.dumps(meta)), **arrays)
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")

    def load(self, path) -> None:
        """Restore from a file written by :meth:`save` (see :meth:`load_state_dict`).

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        ValueError
            Naming the file: not an ``.npz`` written by :meth:`save` (corrupt, truncated, other
            content), or a state that :meth:`load_state_dict` rejects.
        """
        import json
        import zipfile

        try:
            with np.load(path, allow_pickle=False) as f:
                if "__meta__" not in f:
                    raise ValueError("not a gdlab optimizer state file (no __meta__)")
                d = json.loads(str(f["__meta__"]))
                if not isinstance(d, dict):
                    raise ValueError("not a gdlab optimizer state file (bad __meta__)")
                d.update({k: f[k] for k in f.files if k != "__meta__"})
        except FileNotFoundError:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"{path}: cannot read the optimizer state: {exc}") from None
        try:
            self.load_state_dict(d)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    # -- stepping ----------------------------------------------------------------------
    def step(self, params, grads, *, segments=None):
        """Apply one step to ``params`` in place.

        Parameters
        ----------
        params : ndarray of shape (n,), float32 or float64, or a CUDA device array
            Flat parameter vector, updated in place (must be writable and C-contiguous).
        grads : same type, shape and dtype
            Gradient of the loss at ``params``.
        segments : sequence of (lo, hi), optional
            Tensor boundaries in the flat vector, for rules that are not element-wise (LARS,
            LAMB compute one trust ratio per tensor); default: one tensor.

        Returns
        -------
        params

        Raises
        ------
        TypeError, ValueError
            Wrong type, shape, dtype, layout, read-only or empty arrays, or state made for
            another size; FloatingPointError for a non-finite gradient when
            ``on_nonfinite="raise"`` (parameters and state are left untouched).
        """
        check_flat("params", params, writable=True)
        check_flat("grads", grads, np.dtype(params.dtype))
        if grads.shape != params.shape:
            raise ValueError(f"grads has shape {grads.shape}, params has shape {params.shape}")
        device = _is_device_array(params)
        if device != _is_device_array(grads):
            raise TypeError("params and grads must both be NumPy arrays or both CUDA device arrays")
        if self.backend == "cpu" and device:
            raise ValueError("backend='cpu' but params is a CUDA device array")
        n = params.shape[0]
        if self.state is None:
            self.init_state(n, np.dtype(params.dtype))
        elif self.state.shape[1] != n or np.dtype(self.state.dtype) != np.dtype(params.dtype):
            raise ValueError(f"{self.spec.name}: state was made for {self.state.shape[1]} "
                             f"{self.state.dtype} parameters, got {n} {params.dtype}")
        if self.on_nonfinite != "ignore":
            bad = _count_nonfinite(grads.copy_to_host() if device else grads)
            if bad:
                if self.on_nonfinite == "skip":
                    self.skipped_steps += 1
                    return params
                host = grads.copy_to_host() if device else grads
                i = int(np.flatnonzero(~np.isfinite(host))[0])
                raise FloatingPointError(
                    f"{self.spec.name}: {bad} non-finite gradient value(s), the first at index {i} "
                    f"({host[i]!r}), before step {self.t + 1}; parameters left unchanged")
        if device or self.backend == "cuda":
            self._step_cuda(params, grads)
        else:
            lo, hi = _segments(segments, n)
            self.t += 1
            mod = compile_with(self.spec, active=self.active, dtype=params.dtype)
            if n < SERIAL_BELOW and self.spec.update is None:
                # Small element-wise steps: waking the thread pool costs more than the work
                # (15 ms vs 30 us for one parameter on a busy machine); same arithmetic.
                mod.opt_update(params, grads, self.state, self.hyper_array,
                               mod.opt_scalars(self.t, self.hyper_array), 0, n)
            else:
                mod.opt_step(params, grads, self.state, self.hyper_array, self.t, lo, hi)
        return params

    def _step_cuda(self, params, grads):
        from numba import config, cuda

        _require_cuda()
        if not _is_device_array(params):  # host arrays: copy in and out (convenience, slow)
            d_p, d_g = cuda.to_device(params), cuda.to_device(grads)
            self._step_cuda(d_p, d_g)
            d_p.copy_to_host(params)
            return
        if isinstance(self.state, np.ndarray):
            self.state = cuda.to_device(self.state)
        if self._hyper_dev is None:
            self._hyper_dev = cuda.to_device(self.hyper_array)
        self.t += 1
        sc = (self.spec.step_scalars(self.t, *self.hyper_array) if self.spec.step_scalars else ())
        sc = cuda.to_device(np.array(list(sc) + [0.0], dtype=np.float64))
        threads, max_blocks = (32, 2) if config.ENABLE_CUDASIM else (256, 4096)
        blocks = max(1, min(max_blocks, -(-params.shape[0] // threads)))
        kernel = cuda_kernels(self.spec, self.active, np.dtype(params.dtype).name).opt_step_cuda
        kernel[blocks, threads](params, grads, self.state, self._hyper_dev, sc)


def _segments(segments, n):
    if segments is None:
        return np.zeros(1, np.int64), np.array([n], np.int64)
    seg = np.asarray(segments, dtype=np.int64).reshape(-1, 2)
    if len(seg) == 0 or seg[0, 0] != 0 or seg[-1, 1] != n or np.any(seg[1:, 0] != seg[:-1, 1]) \
            or np.any(seg[:, 1] <= seg[:, 0]):
        raise ValueError(f"segments must tile [0, {n}) with non-empty, consecutive (lo, hi) pairs")
    return np.ascontiguousarray(seg[:, 0]), np.ascontiguousarray(seg[:, 1])


def cuda_available() -> bool:
    """True when ``numba.cuda`` can run kernels (a GPU, or ``NUMBA_ENABLE_CUDASIM=1``)."""
    try:
        from numba import config, cuda
    except ImportError:
        return False
    return bool(config.ENABLE_CUDASIM) or cuda.is_available()


def _require_cuda():
    if not cuda_available():
        raise RuntimeError(
            "backend='cuda' needs numba-cuda and an NVIDIA GPU (pip install 'gdlab[cuda]'), "
            "or NUMBA_ENABLE_CUDASIM=1 for the CPU simulator")
