"""The fast engine: no model object and no TensorFlow trace per expert.

On a CPU, GPR runs on :mod:`icegp.gp.exact` and SGPR with more observations than inducing points on
:mod:`icegp.gp.sparse`, both with closed-form gradients on BLAS/LAPACK; an SGPR expert with no more
observations than inducing points is an exact GPR and takes the exact path. On a GPU everything runs
on TensorFlow functions compiled once per process with dynamic shapes (:mod:`icegp.gp.compiled`).
All are driven by
the same SciPy L-BFGS-B, bounds, initial values and tolerances as the reference engine, so they reach
the same optimum; the speed comes from cheaper steps, not from stopping early.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize

from . import exact, sparse
from .hyper import NV, Hyper, Space
from .kernels import kernel as kernel_named
from .problem import FitResult, Problem, inducing_points, prior_mean, stop_reason


class FastEngine:
    name = "fast"

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
        use_tf: bool = False,
        fixed=(),
        kernel: str = "Matern32",
    ):
        self.kernel = kernel_named(kernel)
        self.space, self.model_type, self.m, self.seed = space, model_type, int(inducing_points), seed
        self.inducing_method = inducing_method
        self.use_tf = use_tf  # on a GPU everything runs in TensorFlow
        self.mean_kind, self.max_iter, self.tolerance = mean, int(max_iter), tolerance
        self.bounds = space.transform()
        self.u0 = self.bounds.inverse(space.vectors()[2])
        self.fixed = tuple(fixed)
        self.free = space.free(fixed)
        if model_type not in ("GPR", "SGPR"):
            raise ValueError(f"config key training.model_type: {model_type!r} is not GPR or SGPR")

    def _scaled(self, problem: Problem):
        mean = prior_mean(problem.y, self.mean_kind)
        return (problem.X - problem.origin) / self.space.coords_scale, problem.y - mean, mean

    def _cholesky_errors(self) -> tuple:
        """What a failed factorisation raises on the paths this engine uses."""
        if not self.use_tf:
            return (exact.CholeskyError,)
        from ..device import tensorflow

        return (exact.CholeskyError, tensorflow().errors.InvalidArgumentError)

    def _kind(self, n: int) -> str:
        """exact or sparse (LAPACK), tf_gpr or tf_sgpr (TensorFlow) for an expert with n observations.

        An SGPR whose inducing points are all its data (n <= inducing_points) is an exact GPR (the
        Titsias bound is then the marginal likelihood), so it takes a GPR path.
        """
        if self.model_type == "SGPR" and n > self.m:
            return "tf_sgpr" if self.use_tf else "sparse"
        return "tf_gpr" if self.use_tf else "exact"

    def _inducing(self, problem: Problem, Xs):
        return inducing_points(Xs, self.m, self.inducing_method, self.seed, problem.expert_id)

    def _objective(self, problem: Problem, Xs, y):
        kind = self._kind(len(y))
        if kind == "exact":
            S = exact.sq_diffs(Xs, Xs)
            return lambda theta: exact.nll_and_grad(self.kernel, theta, S, y)
        if kind == "sparse":
            return sparse.SGPRBound(self.kernel, Xs, y, self._inducing(problem, Xs)).value_and_grad
        from . import compiled

        if kind == "tf_gpr":
            return compiled.gpr_objective(self.kernel.name, Xs, y)
        return compiled.sgpr_objective(self.kernel.name, Xs, y, self._inducing(problem, Xs))

    def start_vector(self, init: Hyper | None) -> np.ndarray:
        """The unconstrained start for `init` (the configured initial values when None)."""
        if init is None:
            return self.u0.copy()
        return self.bounds.inverse(self.space.to_scaled_vector(self.space.start(init, self.fixed)))

    def fit_one(self, problem: Problem, init: Hyper | None = None) -> FitResult:
        """Fit one expert from `init` (default: the configured initial values)."""
        start = time.perf_counter()
        Xs, y, mean = self._scaled(problem)
        objective = self._objective(problem, Xs, y)

        u0 = self.start_vector(init)
        u = u0.copy()

        def fun(free_u):
            u[self.free] = free_u
            value, grad = objective(self.bounds.forward(u))
            return value, (grad * self.bounds.jacobian(u))[self.free]

        try:
            res = minimize(
                fun,
                u0[self.free],
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.max_iter, "ftol": self.tolerance, "gtol": self.tolerance},
            )
            failed = not np.isfinite(res.fun)  # a GPU Cholesky returns NaN instead of raising
        except self._cholesky_errors():
            failed = True
        if failed:
            return FitResult(
                problem.expert_id,
                None,
                mean,
                problem.n,
                0,
                False,
                np.nan,
                time.perf_counter() - start,
                "cholesky_failed",
            )
        u[self.free] = res.x
        hyper = self.space.from_scaled_vector(self.bounds.forward(u))
        return FitResult(
            problem.expert_id,
            hyper,
            mean,
            problem.n,
            int(res.nit),
            bool(res.success),
            float(res.fun),
            time.perf_counter() - start,
            "ok" if res.success else "not_converged",
            stop_reason(res.message),
            self.space.at_bound(hyper),
        )

    def predict(self, problem: Problem, hyper: Hyper, Xstar: np.ndarray) -> dict:
        Xs, y, mean = self._scaled(problem)
        theta = self.space.to_scaled_vector(self.space.clip(hyper))
        Xq = (np.asarray(Xstar, float) - problem.origin) / self.space.coords_scale
        kind = self._kind(len(y))
        if kind == "exact":
            f_mean, f_var = exact.predict(self.kernel, theta, Xs, y, Xq)
        elif kind == "sparse":
            bound = sparse.SGPRBound(self.kernel, Xs, y, self._inducing(problem, Xs), cache_bytes=0)  # one evaluation
            f_mean, f_var = bound.predict(theta, Xq)
        elif kind == "tf_gpr":
            from . import compiled

            f_mean, f_var = compiled.gpr_predict(self.kernel.name, theta, Xs, y, Xq)
        else:
            from . import compiled

            f_mean, f_var = compiled.sgpr_predict(self.kernel.name, theta, Xs, y, self._inducing(problem, Xs), Xq)
        return {"f_mean": f_mean + mean, "f_var": f_var, "y_var": f_var + theta[NV]}
