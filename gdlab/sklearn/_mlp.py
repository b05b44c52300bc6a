"""``MLPClassifier`` and ``MLPRegressor``: scikit-learn's estimators, trained by gdlab's kernels.

The public behaviour is scikit-learn 1.9's ``sklearn.neural_network`` (parameters, defaults,
validation, fitted attributes, warnings, random-number use); the work is done by compiled code:

* ``solver="sgd"``/``"adam"``: Python owns the epochs (shuffling with the estimator's
  ``RandomState`` exactly as scikit-learn, early stopping, ``n_iter_no_change``, learning-rate
  schedules, ``ConvergenceWarning``); one compiled call runs a chunk of mini-batches
  (forward, backward, L2 penalty, optimizer rule) on one flat parameter vector
  (``train_batches_ex`` in ``gdlab/models/_mlp_train.py``). The update rules are gdlab's
  ``sgd``/``adam`` with preset ``"sklearn"`` (scikit-learn's ``SGDOptimizer`` and
  ``AdamOptimizer``); any registered gdlab optimizer can replace them (``optimizer``).
* ``solver="lbfgs"``: ``scipy.optimize.minimize(method="L-BFGS-B")`` on the flat float64
  vector, with the loss and gradient of all rows from one compiled call
  (``loss_grad_full`` in ``gdlab/models/_mlp_core.py``).

With the same ``random_state``, the initial weights, the shuffles and the validation split
are scikit-learn's own, so both libraries follow the same trajectory up to floating-point
rounding (``tests/test_sklearn_mlp.py`` checks it).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d, shuffle
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._config import deterministic_mode
from ..engine import ChunkResult, ensure_state, run_epochs
from ..models._codes import ACTIVATIONS
from ..models._init import glorot_bound
from ..models._mlp import _CORE, MLPKernelArgsEx, core, layout, pack, unpack
from ..models._outputs import OUTPUTS
from ..optim import compile_with, create, get_spec
from ..optim._syntax import merge_hyper, parse_optimizer

_STOCHASTIC_SOLVERS = ("sgd", "adam")
_TRAIN = "models/_mlp_train.py"
_BATCHES_PER_CALL = 50      # mini-batches per compiled call (granularity of Ctrl-C)
_PREDICT_CHUNK = 1024       # rows per forward pass at predict time
_LBFGS_CHUNK = 4096         # rows per forward/backward pass of the L-BFGS loss


def _float_array(a, dtype) -> np.ndarray:
    """C-contiguous, writable array of ``dtype`` (read-only inputs are copied, so that the
    kernels are not compiled a second time for read-only array types)."""
    out = np.ascontiguousarray(a, dtype=dtype)
    if not out.flags.writeable:
        out = out.copy()
    return out


def _dense(X):
    return X.toarray() if sp.issparse(X) else X


def _create_optimizer(name: str, preset, hyper: dict):
    """``gdlab.optim.create`` without the non-finite check (scikit-learn has none), allowing
    scikit-learn's ``momentum=1`` (its range is closed; gdlab's is [0, 1))."""
    hyper = dict(hyper)
    momentum_one = name == "sgd" and hyper.get("momentum") == 1.0
    if momentum_one:
        hyper["momentum"] = 0.5
    opt = create(name, preset=preset, on_nonfinite="ignore", **hyper)
    if momentum_one:
        opt.hyper["momentum"] = 1.0
        opt.hyper_array = opt.spec.hyper_array(opt.hyper)
    return opt


class _BaseMLP(BaseEstimator):
    """Shared machinery of :class:`MLPClassifier` and :class:`MLPRegressor` (not public)."""

    def __getstate__(self):
        # an optimizer spec holds lambdas: pickle the optimizer as data and rebuild it
        state = dict(super().__getstate__())  # a copy: object.__getstate__ gives __dict__ itself
        opt = state.pop("_optimizer", None)
        if opt is not None:
            state["_optimizer_data"] = {"name": opt.spec.name, "preset": opt.spec.preset,
                                        "hyper": dict(opt.hyper), "state": opt.state, "t": opt.t}
        return state

    def __setstate__(self, state):
        data = state.pop("_optimizer_data", None)
        super().__setstate__(state)
        if data is not None:
            opt = _create_optimizer(data["name"], data["preset"], data["hyper"])
            opt.state, opt.t = data["state"], data["t"]
            self._optimizer = opt

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [None, str],
        "optimizer_params": [None, dict],
        "preset": [None, str],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "deterministic": [None, "boolean"],
    }

    # -- layout and prediction ---------------------------------------------------------
    def _layout(self):
        sizes = [c.shape[0] for c in self.coefs_] + [self.coefs_[-1].shape[1]]
        return layout(sizes)

    def _forward_pass_fast(self, X, check_input=True):
        """Outputs of the network (after the output activation), shape (n_samples, n_outputs)."""
        with deterministic_mode(self.deterministic):
            return self._forward_pass_fast_mode(X, check_input)

    def _forward_pass_fast_mode(self, X, check_input):
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        X = _dense(X)
        pdtype = np.result_type(*[c.dtype for c in self.coefs_])
        dtype = np.float32 if (X.dtype == np.float32 and pdtype == np.float32) else np.float64
        sizes, offs, n_params = self._layout()
        params = pack(self.coefs_, self.intercepts_, sizes, offs, n_params, dtype)
        return self._forward_params(params, _float_array(X, dtype))

    def _forward_params(self, params, X):
        sizes, offs, _ = self._layout()
        return core().predict_out(params, sizes, offs, ACTIVATIONS[self.activation],
                                  OUTPUTS[self.out_activation_], X, _PREDICT_CHUNK)

    def _score_with_function(self, X, y, sample_weight, score_function):
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return score_function(y, y_pred, sample_weight=sample_weight)

    # -- fitting -----------------------------------------------------------------------
    def _check_extras(self):
        """Validate the gdlab parameters that scikit-learn's constraint table cannot."""
        if self.optimizer is not None and self.solver not in _STOCHASTIC_SOLVERS:
            raise ValueError(f"optimizer={self.optimizer!r} needs a stochastic solver ('sgd' or "
                             f"'adam'), got solver={self.solver!r}")
        if self.dropout > 0 and self.solver not in _STOCHASTIC_SOLVERS:
            raise ValueError(f"dropout={self.dropout!r} needs a stochastic solver ('sgd' or 'adam'), "
                             f"got solver={self.solver!r}")
        if self.solver in _STOCHASTIC_SOLVERS:
            self._make_optimizer()  # raises for unknown names, presets, hyperparameters

    def _make_optimizer(self):
        """The gdlab optimizer of this configuration (state created later, for the parameters)."""
        extra = dict(self.optimizer_params or {})
        lr = float(self.learning_rate_init)
        if self.optimizer is None:
            name = self.solver
            preset = "sklearn" if self.preset is None else self.preset
            if name == "sgd":
                hyper = {"lr": lr, "momentum": float(self.momentum),
                         "nesterov": bool(self.nesterovs_momentum and self.momentum > 0)}
            else:
                hyper = {"lr": lr, "beta1": float(self.beta_1), "beta2": float(self.beta_2),
                         "eps": float(self.epsilon)}
        else:  # NAME[@PRESET][:k=v,...]; its lr, if given, replaces learning_rate_init
            text = parse_optimizer(self.optimizer)
            if text.preset is not None and self.preset not in (None, text.preset):
                raise ValueError(f"optimizer={self.optimizer!r} names preset {text.preset!r}, "
                                 f"preset={self.preset!r} was also given")
            name, preset = text.name, text.preset or self.preset
            hyper = {"lr": lr} if "lr" in get_spec(name).hyper else {}
            hyper.update(merge_hyper(text.hyper, extra, "optimizer_params"))
            extra = {}
        hyper.update(extra)
        opt = _create_optimizer(name, preset, hyper)
        if self.solver == "sgd" and self.learning_rate != "constant" and "lr" not in opt.hyper:
            raise ValueError(f"learning_rate={self.learning_rate!r} schedules the rule's 'lr', "
                             f"which optimizer {name!r} does not have")
        return opt

    def _set_lr(self, lr: float) -> None:
        opt = self._optimizer
        opt.hyper["lr"] = lr
        opt.hyper_array[list(opt.hyper).index("lr")] = lr

    def _current_lr(self) -> float:
        return float(self._optimizer.hyper.get("lr", np.nan))

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        if not is_classifier(self):
            self.out_activation_ = "exp" if self.loss == "poisson" else "identity"
        elif self._label_binarizer.y_type_ == "multiclass":
            self.out_activation_ = "softmax"
        else:
            self.out_activation_ = "logistic"
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            coef, intercept = self._init_coef(fan_in, fan_out, dtype)
            self.coefs_.append(coef)
            self.intercepts_.append(intercept)
        sizes, offs, n_params = layout(layer_units)
        self._best_params = pack(self.coefs_, self.intercepts_, sizes, offs, n_params, dtype)
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _init_coef(self, fan_in, fan_out, dtype):
        """Glorot-uniform weights and biases drawn as scikit-learn draws them (same stream)."""
        bound = glorot_bound(fan_in, fan_out, self.activation)
        coef = self._random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = self._random_state.uniform(-bound, bound, fan_out)
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)

    def _fit(self, X, y, sample_weight=None, incremental=False):
        with deterministic_mode(self.deterministic):
            return self._fit_mode(X, y, sample_weight, incremental)

    def _fit_mode(self, X, y, sample_weight, incremental):
        hidden = self.hidden_layer_sizes
        if not hasattr(hidden, "__iter__"):
            hidden = [hidden]
        hidden = list(hidden)
        if np.any(np.array(hidden) <= 0):
            raise ValueError("hidden_layer_sizes must be > 0, got %s." % hidden)
        self._check_extras()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        X = _dense(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        if not is_classifier(self) and self.loss == "poisson" and np.any(np.asarray(y) < 0):
            raise ValueError("loss='poisson' requires y >= 0 (the half Poisson deviance of a "
                             "negative target is undefined)")
        self.n_outputs_ = y.shape[1]
        layer_units = [X.shape[1]] + hidden + [self.n_outputs_]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)
        if self.solver in _STOCHASTIC_SOLVERS:
            self._fit_stochastic(X, y, sample_weight, layer_units, incremental)
        else:
            self._fit_lbfgs(X, y, sample_weight, layer_units)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.")
        return self

    def _kernel_inputs(self, X, y, sample_weight, dtype):
        Y = _float_array(y, dtype)
        sw = np.ones(X.shape[0], dtype) if sample_weight is None else _float_array(sample_weight, dtype)
        return _float_array(X, dtype), Y, sw

    def _reported_divisor(self) -> int:
        """scikit-learn reports the squared error averaged over outputs (its gradient sums them)."""
        return self.n_outputs_ if self.out_activation_ == "identity" else 1

    def _fit_lbfgs(self, X, y, sample_weight, layer_units):
        sizes, offs, n_params = layout(layer_units)
        X64, Y64, sw64 = self._kernel_inputs(X, y, sample_weight, np.float64)
        act, kind = ACTIVATIONS[self.activation], OUTPUTS[self.out_activation_]
        eps = float(np.finfo(np.float64).eps)
        kernel, alpha = core().loss_grad_full, float(self.alpha)

        def fun(x):
            grad = np.empty(n_params)
            data, pen = kernel(x, grad, sizes, offs, act, kind, X64, Y64, sw64, alpha, eps,
                               _LBFGS_CHUNK)
            return data + pen, grad

        x0 = pack(self.coefs_, self.intercepts_, sizes, offs, n_params, np.float64)
        res = scipy.optimize.minimize(fun, x0, method="L-BFGS-B", jac=True,
                                      options={"maxfun": self.max_fun, "maxiter": self.max_iter,
                                               "gtol": self.tol})
        self.n_iter_ = _check_optimize_result("lbfgs", res, self.max_iter)
        if self.verbose:
            print(f"L-BFGS-B: {res.message} after {res.nit} iterations, {res.nfev} evaluations")
        data, pen = kernel(res.x, np.empty(n_params), sizes, offs, act, kind, X64, Y64, sw64,
                           alpha, eps, _LBFGS_CHUNK)
        self.loss_ = data / self._reported_divisor() + pen
        self.coefs_, self.intercepts_ = unpack(res.x, sizes, offs)

    def _fit_stochastic(self, X, y, sample_weight, layer_units, incremental):
        dtype = X.dtype
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
            self._lr_init = self._current_lr()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        if early_stopping:
            stratify = y if (is_classifier(self) and self.n_outputs_ == 1) else None
            if sample_weight is None:
                X_train, X_val, y_train, y_val = train_test_split(
                    X, y, random_state=self._random_state, test_size=self.validation_fraction,
                    stratify=stratify)
                sw_train = sw_val = None
            else:
                X_train, X_val, y_train, y_val, sw_train, sw_val = train_test_split(
                    X, y, sample_weight, random_state=self._random_state,
                    test_size=self.validation_fraction, stratify=stratify)
            if X_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                                 "or the size of your dataset.")
            if is_classifier(self):
                y_val = self._label_binarizer.inverse_transform(y_val)
        else:
            X_train, y_train, sw_train = X, y, sample_weight
            X_val = y_val = sw_val = None

        n_samples = X_train.shape[0]
        sample_idx = np.arange(n_samples, dtype=int)
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than "
                              "sample size. It is going to be clipped")
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        sizes, offs, n_params = layout(layer_units)
        Xk, Yk, swk = self._kernel_inputs(X_train, y_train, sw_train, dtype)
        if X_val is not None:
            X_val = _float_array(X_val, dtype)
        params = pack(self.coefs_, self.intercepts_, sizes, offs, n_params, dtype)
        opt = self._optimizer
        ensure_state(opt, n_params, dtype)
        # drawn only with dropout, so that without it the random stream is scikit-learn's
        seed = int(self._random_state.randint(np.iinfo(np.int32).max)) if self.dropout > 0 else 0
        kernel = compile_with(opt.spec, _CORE, _TRAIN, active=opt.active, dtype=dtype).train_batches_ex
        args = MLPKernelArgsEx.build(
            params, opt, sizes, offs, ACTIVATIONS[self.activation], batch_size, y_width=Yk.shape[1],
            kind=OUTPUTS[self.out_activation_], kdiv=float(self._reported_divisor()),
            alpha=float(self.alpha), alpha_mean=True, rate=float(self.dropout), seed=seed,
            eps=float(np.finfo(dtype).eps))
        n_batches = -(-n_samples // batch_size)
        order_idx = [sample_idx]

        def order(epoch):  # scikit-learn's shuffle of the previous order, from its RandomState
            if self.shuffle:
                order_idx[0] = shuffle(order_idx[0], random_state=self._random_state)
            return np.ascontiguousarray(order_idx[0], dtype=np.int64)

        def run_chunk(perm, b, stop, t):
            ls, sn, t = kernel(Xk, Yk, swk, perm, b, stop, batch_size, t, args)
            return ChunkResult(ls, sn, t)  # non-finite losses do not stop it (as in scikit-learn)

        def end_epoch(epoch, loss_sum, seen, seconds):
            self.n_iter_ += 1
            self.loss_ = loss_sum / n_samples
            if not np.isfinite(self.loss_) and not early_stopping and not np.isfinite(params).all():
                return True  # diverged: scikit-learn would end with the same ValueError
            self.t_ += n_samples
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
            self._update_no_improvement_count(early_stopping, params, X_val, y_val, sw_val)
            self._iteration_ends(self.t_)
            if self._no_improvement_count > self.n_iter_no_change:
                if early_stopping:
                    msg = ("Validation score did not improve more than tol=%f for %d "
                           "consecutive epochs." % (self.tol, self.n_iter_no_change))
                else:
                    msg = ("Training loss did not improve more than tol=%f for %d "
                           "consecutive epochs." % (self.tol, self.n_iter_no_change))
                if self._trigger_stopping(msg, self.verbose):
                    return True
                self._no_improvement_count = 0
            if incremental:
                return True
            if self.n_iter_ == self.max_iter:
                warnings.warn("Stochastic Optimizer: Maximum iterations (%d) reached and the "
                              "optimization hasn't converged yet." % self.max_iter,
                              ConvergenceWarning)
            return False

        try:
            self.n_iter_ = 0
            run_epochs(opt, run_chunk, n_batches=n_batches, epochs=self.max_iter,
                       chunk=_BATCHES_PER_CALL, order=order, end_epoch=end_epoch)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        if early_stopping:
            params = self._best_params
        self.coefs_, self.intercepts_ = unpack(params, sizes, offs)

    def _update_no_improvement_count(self, early_stopping, params, X_val, y_val, sw_val):
        if early_stopping:
            out = self._forward_params(params, X_val)
            y_pred = self._output_to_prediction(out)
            if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
                score = np.nan
            else:
                score = self._score_function(y_val, y_pred, sample_weight=sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print("Validation score: %f" % self.validation_scores_[-1])
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = params.copy()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _iteration_ends(self, time_step):
        """scikit-learn's ``SGDOptimizer.iteration_ends``: the 'invscaling' schedule."""
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            self._set_lr(float(self._lr_init) / (time_step + 1) ** self.power_t)

    def _trigger_stopping(self, msg, verbose) -> bool:
        """scikit-learn's ``trigger_stopping``: stop, or divide lr by 5 under 'adaptive'."""
        if self.solver != "sgd" or self.learning_rate != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        lr = self._current_lr()
        if lr <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self._set_lr(lr / 5.0)
        if verbose:
            print(msg + " Setting learning rate to %f" % self._current_lr())
        return False

    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The input data (float32 is kept as float32 by the stochastic solvers; sparse
            input is densified).
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights: each row's loss is weighted, and the loss is divided by the sum of
            the weights of the batch (so is the L2 term), as in scikit-learn.

        Returns
        -------
        self : object
            The trained model.

        Raises
        ------
        ValueError
            Invalid parameters (scikit-learn's constraint table, plus ``optimizer``/
            ``optimizer_params``/``preset`` checked by gdlab's registry), bad shapes, NaN or
            infinite values, too few samples for early stopping, non-finite weights after
            training.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 "%s is not stochastic." % self.solver)
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of neurons in the ith hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation function of the hidden layers.
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        'lbfgs': scipy's L-BFGS-B on the whole data set; 'sgd': stochastic gradient descent
        with (Nesterov) momentum; 'adam': Kingma & Ba's Adam. 'sgd' and 'adam' use gdlab's
        ``sgd``/``adam`` rules with preset ``"sklearn"`` unless ``optimizer`` names another.
    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights (not the biases), divided by the sum of the
        sample weights of each batch (the sample count without weights).
    batch_size : int or 'auto', default='auto'
        Mini-batch size of the stochastic solvers; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule of the rule's ``lr`` with ``solver='sgd'``: constant; ``learning_rate_init /
        (t + 1) ** power_t`` after each epoch (t = samples seen); or divided by 5 each time
        ``n_iter_no_change`` epochs fail to improve by ``tol``.
    learning_rate_init : float, default=0.001
        Initial learning rate (the ``lr`` of the rule) of the stochastic solvers.
    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.
    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).
    shuffle : bool, default=True
        Whether to shuffle the samples every epoch (stochastic solvers).
    random_state : int, RandomState instance or None, default=None
        Initial weights, train/validation split, shuffling (and dropout masks), drawn
        exactly as scikit-learn draws them.
    tol : float, default=1e-4
        Tolerance of the stopping criterion (``gtol`` of L-BFGS-B).
    verbose : bool, default=False
        Print the loss every epoch.
    warm_start : bool, default=False
        Start from the previous solution (the optimizer state starts afresh, as in scikit-learn).
    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].
    nesterovs_momentum : bool, default=True
        Nesterov's momentum for 'sgd' when momentum > 0.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for single-output
        classification) and stop when its score stops improving; the best weights are kept.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates.
    epsilon : float, default=1e-8
        Adam's epsilon (added to sqrt(v), scikit-learn's placement).
    n_iter_no_change : int, default=10
        Epochs without an improvement of ``tol`` before stopping (or lowering lr).
    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'.
    optimizer : str or None, default=None
        gdlab extension: any registered gdlab optimizer (``gdlab list optimizers``) as
        ``NAME[@PRESET][:k=v,...]`` (e.g. ``"adamw@optax:weight_decay=1e-4"``), used in place of
        the solver's rule ('sgd'/'adam' only). Its ``lr`` starts at ``learning_rate_init``
        unless the text sets it; the solver-specific parameters (momentum, beta_1, …) are then
        ignored. ``None``: the solver's own rule.
    optimizer_params : dict or None, default=None
        gdlab extension: hyperparameters of the rule, overriding the defaults and the values
        derived from the parameters above, e.g. ``{"weight_decay": 1e-4}`` or
        ``{"amsgrad": True}``.
    preset : str or None, default=None
        gdlab extension: which library's version of the rule ('torch', 'keras', 'optax',
        'sklearn'); ``None`` is 'sklearn' for the solver's own rule and the optimizer's
        default (PyTorch's) otherwise.
    dropout : float in [0, 1), default=0.0
        gdlab extension: inverted-dropout rate after every hidden activation during training
        (stochastic solvers; masks drawn from ``random_state``); no dropout at predict time.
    deterministic : bool or None, default=None
        gdlab extension: True computes the matrix products in gdlab's fixed-order GEMM (the
        same bits on every CPU and thread count), False in OpenBLAS; None follows
        ``GDLAB_DETERMINISTIC`` (default True). L-BFGS steps are SciPy's own either way.
"""

_ATTRS_DOC = """
    Attributes
    ----------
    loss_ : float
        The loss (data term plus L2 term) at the end of fitting, as scikit-learn reports it.
    best_loss_ : float or None
        Minimum of ``loss_curve_`` (None with early stopping; stochastic solvers only).
    loss_curve_ : list of float
        Mean mini-batch loss of each epoch (stochastic solvers only).
    validation_scores_ : list of float or None
        Validation score of each epoch with early stopping, else None.
    best_validation_score_ : float or None
        Best validation score with early stopping, else None.
    t_ : int
        Number of training samples seen by the solver.
    coefs_ : list of ndarray of shape (n_units[i], n_units[i + 1])
        Weight matrices.
    intercepts_ : list of ndarray of shape (n_units[i + 1],)
        Bias vectors.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    n_iter_ : int
        Number of epochs (or L-BFGS iterations) run.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of outputs.
    out_activation_ : str
        Output activation: 'softmax', 'logistic', 'identity' or 'exp'.
"""


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = """Multi-layer perceptron classifier: scikit-learn's, trained by gdlab's kernels.

    A drop-in replacement for ``sklearn.neural_network.MLPClassifier`` (scikit-learn 1.9):
    same parameters, defaults, validation, fitted attributes and warnings, log-loss with a
    softmax output (multiclass) or logistic outputs (binary, multilabel), optimized by
    L-BFGS or by compiled mini-batch epochs. Extra parameters: ``optimizer``,
    ``optimizer_params``, ``preset`` and ``dropout``.
""" + _PARAMS_DOC + _ATTRS_DOC + """
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    MLPRegressor, sklearn.neural_network.MLPClassifier

    References
    ----------
    scikit-learn 1.9 ``sklearn.neural_network.MLPClassifier`` (behaviour matched);
    Glorot & Bengio, AISTATS 2010 (initialisation); Kingma & Ba, arXiv:1412.6980 (Adam);
    Srivastava et al., JMLR 15, 2014 (dropout).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from gdlab.sklearn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((32,), solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 optimizer=None, optimizer_params=None, preset=None, dropout=0.0,
                 deterministic=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.preset = preset
        self.dropout = dropout
        self.deterministic = deterministic

    loss = "log_loss"  # scikit-learn's classifier has a fixed loss (not a parameter)

    def _score_function(self, y, y_pred, sample_weight=None):
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    def _output_to_prediction(self, out):
        if self.n_outputs_ == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has {classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError("`y` has classes not in `self.classes_`. "
                                 f"`self.classes_` has {self.classes_}. 'y' has {classes}.")
        y = self._label_binarizer.transform(y).astype(bool)
        return X, y

    def predict(self, X):
        """Predicted classes, ndarray of shape (n_samples,) or (n_samples, n_classes) (multilabel).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ValueError
            For a wrong number of features, NaN or infinite values.
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        return self._output_to_prediction(self._forward_pass_fast(X, check_input=check_input))

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``(X, y)`` (stochastic solvers only), continuing the optimizer state.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array of shape (n_classes,), default=None
            All classes; required on the first call.

        Returns
        -------
        self : object
        """
        self._validate_params()
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, ndarray of shape (n_samples, n_classes)."""
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def predict_proba(self, X):
        """Class probabilities, ndarray of shape (n_samples, n_classes), in ``classes_`` order.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = """Multi-layer perceptron regressor: scikit-learn's, trained by gdlab's kernels.

    A drop-in replacement for ``sklearn.neural_network.MLPRegressor`` (scikit-learn 1.9):
    half squared error with an identity output, or half Poisson deviance with an exp output
    (``loss="poisson"``, y >= 0). As in scikit-learn, ``loss`` is the first positional
    parameter: pass ``hidden_layer_sizes`` by keyword.

    Parameters
    ----------
    loss : {'squared_error', 'poisson'}, default='squared_error'
        The loss (its output activation is the canonical link: identity or exp).
""" + _PARAMS_DOC.split("Parameters\n    ----------\n", 1)[1] + _ATTRS_DOC + """
    See Also
    --------
    MLPClassifier, sklearn.neural_network.MLPRegressor

    Notes
    -----
    With several outputs and the squared error, scikit-learn reports a loss averaged over the
    outputs but follows the gradient of their sum; gdlab reports the same ``loss_`` and
    ``loss_curve_`` but gives L-BFGS the loss that matches its gradient (the sum), which is
    the objective the stochastic solvers of both libraries follow.

    Examples
    --------
    >>> import numpy as np
    >>> from gdlab.sklearn import MLPRegressor
    >>> x = np.arange(-3, 3.05, 0.1)[:, None]
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=2000, random_state=0)
    >>> reg = reg.fit(x, np.exp(x).ravel())
    >>> reg.score(x, np.exp(x).ravel()) > 0.99
    True
    """

    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 optimizer=None, optimizer_params=None, preset=None, dropout=0.0,
                 deterministic=None):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.preset = preset
        self.dropout = dropout
        self.deterministic = deterministic

    def _score_function(self, y, y_pred, sample_weight=None):
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def _output_to_prediction(self, out):
        return out.ravel() if out.shape[1] == 1 else out

    def predict(self, X):
        """Predicted values, ndarray of shape (n_samples,) or (n_samples, n_outputs).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        return self._output_to_prediction(self._forward_pass_fast(X, check_input=check_input))

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, r2_score)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)`` (stochastic solvers only), continuing the optimizer state.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
