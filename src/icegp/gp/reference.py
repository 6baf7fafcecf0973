"""The reference engine: one fresh GPflow model per expert, Scipy L-BFGS-B, as GPSat fits them.

This is what the tests hold every faster engine to. It fixes GPSat's quirks: bounds are physical and
applied as Sigmoid transforms with no move-within-tol collapse, observations are de-meaned per expert
(``prior_mean: local``) and the mean is added back, inducing points are seeded, and the stored loss is
always the minimised objective.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from icegp.gp.hyper import KV, LS, NV, Hyper, Space
from icegp.gp.kernels import kernel as kernel_named
from icegp.gp.problem import FitResult, Problem, inducing_points, points, prior_mean, stop_reason

JITTERS = (1e-6, 1e-4, 1e-2)
log = logging.getLogger(__name__)


class GPflowExpert:
    """A GPflow GPR or SGPR with an ARD kernel over scaled (x, y, t): fit, predict, get/set."""

    def __init__(
        self,
        space: Space,
        model_type: str = "GPR",
        inducing_points: int = 500,
        inducing_method: str = "random",
        seed: int = 0,
        mean: str = "local",
        max_iter: int = 10_000,
        tolerance: float = 1e-6,
        fixed=(),
        kernel: str = "Matern32",
    ):
        self.kernel = kernel_named(kernel).name
        self.space, self.model_type, self.m = space, model_type, int(inducing_points)
        self.inducing_method = inducing_method
        self.fixed = tuple(fixed)
        self.seed, self.mean_kind, self.max_iter, self.tolerance = seed, mean, int(max_iter), tolerance
        self.model: Any = None  # the GPflow model of the expert last built
        self.mean = 0.0

    def _build(self, problem: Problem, hyper: Hyper):
        import gpflow
        import tensorflow_probability as tfp

        f64 = np.float64
        Xs = (problem.X - problem.origin) / self.space.coords_scale
        self.origin, self.expert_id = problem.origin, problem.expert_id
        self.mean = prior_mean(problem.y, self.mean_kind)
        Y = (problem.y - self.mean)[:, None]
        low, high, _ = self.space.vectors()
        h = self.space.to_scaled_vector(hyper)

        def bounded(value, lo, hi):
            return gpflow.Parameter(
                np.asarray(value, f64),
                transform=tfp.bijectors.Sigmoid(low=np.asarray(lo, f64), high=np.asarray(hi, f64)),
                dtype=f64,
            )

        kernel = getattr(gpflow.kernels, self.kernel)(lengthscales=np.ones(3))
        kernel.lengthscales = bounded(h[LS], low[LS], high[LS])
        kernel.variance = bounded(h[KV], low[KV], high[KV])
        likelihood = gpflow.likelihoods.Gaussian(variance=h[NV])
        likelihood.variance = bounded(h[NV], low[NV], high[NV])
        if self.model_type == "GPR":
            self.model = gpflow.models.GPR((Xs, Y), kernel=kernel, likelihood=likelihood)
        elif self.model_type == "SGPR":
            Z = inducing_points(Xs, self.m, method=self.inducing_method, seed=self.seed, expert_id=problem.expert_id)
            self.model = gpflow.models.SGPR((Xs, Y), kernel=kernel, inducing_variable=Z, likelihood=likelihood)
            gpflow.set_trainable(self.model.inducing_variable, False)
        else:
            raise ValueError(f"config key training.model_type: {self.model_type!r} is not GPR or SGPR")
        params = {
            "lengthscales": kernel.lengthscales,
            "kernel_variance": kernel.variance,
            "likelihood_variance": likelihood.variance,
        }
        for name in self.fixed:
            gpflow.set_trainable(params[name], False)

    def get_hyperparameters(self) -> Hyper:
        v = np.r_[
            self.model.kernel.lengthscales.numpy(),
            self.model.kernel.variance.numpy(),
            self.model.likelihood.variance.numpy(),
        ]
        return self.space.from_scaled_vector(v)

    def set_hyperparameters(self, problem: Problem, hyper: Hyper) -> None:
        """Condition on `problem`'s data with fixed `hyper` (prediction without optimisation)."""
        self._build(problem, self.space.clip(hyper, margin=1e-9))

    def loss(self) -> float:
        return float(self.model.training_loss().numpy())

    def fit(self, problem: Problem, init: Hyper | None = None) -> FitResult:
        """Fit from `init` (default: the configured initial values); fixed parameters keep theirs."""
        import gpflow
        import tensorflow as tf

        start = time.perf_counter()
        status, n_iter, converged, loss, hyper, stop = "cholesky_failed", 0, False, np.nan, None, ""
        first = self.space.init if init is None else self.space.start(init, self.fixed)
        # GPflow adds its jitter to SGPR's K_uu only; a GPR has nothing to retry with
        for jitter in JITTERS if self.model_type == "SGPR" else JITTERS[:1]:
            try:
                with gpflow.config.as_context(gpflow.config.Config(jitter=jitter)):
                    self._build(problem, first)
                    res = gpflow.optimizers.Scipy().minimize(
                        self.model.training_loss,
                        self.model.trainable_variables,
                        method="L-BFGS-B",
                        options={"maxiter": self.max_iter, "ftol": self.tolerance, "gtol": self.tolerance},
                    )
                    n_iter, converged, loss = int(res.nit), bool(res.success), float(res.fun)
                    hyper = self.get_hyperparameters()
                    status = "ok" if converged else "not_converged"
                    stop = stop_reason(res.message)
                break
            except tf.errors.InvalidArgumentError as err:
                log.warning(
                    "expert %d: Cholesky failed with jitter %g: %s", problem.expert_id, jitter, str(err).splitlines()[0]
                )
        return FitResult(
            problem.expert_id,
            hyper,
            self.mean,
            problem.n,
            n_iter,
            converged,
            loss,
            time.perf_counter() - start,
            status,
            stop,
            self.space.at_bound(hyper) if hyper is not None else "",
        )

    def predict(self, Xstar: np.ndarray) -> dict:
        """Latent mean and variance and the observation variance at physical coordinates `Xstar`."""
        Xs = (points(Xstar, self.expert_id) - self.origin) / self.space.coords_scale
        f_mean, f_var = self.model.predict_f(Xs)
        lik = float(self.model.likelihood.variance.numpy())
        f_var = f_var.numpy()[:, 0]
        return {"f_mean": f_mean.numpy()[:, 0] + self.mean, "f_var": f_var, "y_var": f_var + lik}


class ReferenceEngine:
    """Fits experts one after another, each with a fresh GPflow model (and a fresh trace)."""

    name = "reference"

    def __init__(self, space: Space, **model_kwargs):
        from icegp.gp.device import tensorflow

        tensorflow()  # thread pools tied to the job before GPflow runs anything
        self.space, self.model_kwargs = space, model_kwargs

    def expert(self) -> GPflowExpert:
        return GPflowExpert(self.space, **self.model_kwargs)

    def fit_one(self, problem: Problem, init: Hyper | None = None) -> FitResult:
        return self.expert().fit(problem, init)

    def predict(self, problem: Problem, hyper: Hyper, Xstar: np.ndarray) -> dict:
        model = self.expert()
        model.set_hyperparameters(problem, hyper)
        return model.predict(Xstar)
