"""The fast engine: no model object and no TensorFlow trace per expert.

On a CPU, GPR runs on :mod:`icegp.gp.exact` and SGPR with more observations than inducing points on
:mod:`icegp.gp.sparse`, both with closed-form gradients on BLAS/LAPACK; an SGPR expert with no more
observations than inducing points is an exact GPR and takes the exact path. All are driven by the
same SciPy L-BFGS-B, bounds, initial values and tolerances as the reference engine, so they reach
the same optimum; the speed comes from cheaper steps, not from stopping early.

On a GPU (``use_tf``) the sparse experts of a shard are fitted and predicted together
(:meth:`FastEngine.fit_many`, :meth:`FastEngine.predict_many` on :mod:`icegp.gp.batched`), and the
rest run one at a time on TensorFlow functions compiled once per process (:mod:`icegp.gp.compiled`).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize

from icegp.gp import exact, sparse
from icegp.gp.hyper import NV, Hyper, Space
from icegp.gp.kernels import kernel as kernel_named
from icegp.gp.problem import FitResult, Problem, inducing_points, points, prior_mean, stop_reason


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
        from icegp.gp.device import tensorflow

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
        return inducing_points(Xs, self.m, method=self.inducing_method, seed=self.seed, expert_id=problem.expert_id)

    def _objective(self, problem: Problem, Xs, y):
        kind = self._kind(len(y))
        if kind == "exact":
            S = exact.sq_diffs(Xs, Xs)
            return lambda theta: exact.nll_and_grad(self.kernel, theta, S, y)
        if kind == "sparse":
            return sparse.SGPRBound(self.kernel, Xs, y, self._inducing(problem, Xs)).value_and_grad
        from icegp.gp import compiled

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

    @property
    def batched(self) -> bool:
        """Whether fit_many and predict_many batch experts (on a GPU, for SGPR) or loop over them."""
        return self.use_tf and self.model_type == "SGPR"

    def fit_many(self, problems: list[Problem], inits: list[Hyper | None]) -> list[FitResult]:
        """Fit every problem from its init: the sparse ones together in batches on the batched path,
        the others (and any batch TensorFlow refuses, such as a failed Cholesky on a CPU) one by one.
        A batch's wall time is shared equally by its members; its iterations are the batch's."""
        results: list[FitResult | None] = [None] * len(problems)
        for group in self._groups(problems):
            results_of_group = self._fit_batch([problems[i] for i in group], [inits[i] for i in group])
            for i, result in zip(group, results_of_group):
                results[i] = result
        return [r if r is not None else self.fit_one(p, h) for r, p, h in zip(results, problems, inits)]

    def _groups(self, problems: list[Problem]) -> list[list[int]]:
        """Indices of the problems the batched path takes (sparse ones, when batching), in batches."""
        from icegp.gp import batched

        members = [i for i, p in enumerate(problems) if self.batched and self._kind(p.n) == "tf_sgpr"]
        return [[members[j] for j in group] for group in batched.batches([problems[i].n for i in members])]

    def _batch(self, problems: list[Problem]):
        """The problems' scaled data, inducing points and prior means as one padded batch."""
        from icegp.gp import batched

        scaled = [self._scaled(p) for p in problems]
        batch = batched.Batch.pad([(Xs, y, self._inducing(p, Xs)) for p, (Xs, y, _) in zip(problems, scaled)])
        return batch, [mean for _, _, mean in scaled]

    def _fit_batch(self, problems: list[Problem], inits: list[Hyper | None]) -> list[FitResult | None]:
        from icegp.gp import batched

        start = time.perf_counter()
        batch, means = self._batch(problems)
        try:
            fit = batched.minimize(
                self.kernel.name,
                batch,
                np.stack([self.start_vector(h) for h in inits]),
                low=self.bounds.low,
                high=self.bounds.high,
                free=self.free,
                tolerance=self.tolerance,
                max_iter=self.max_iter,
            )
        except self._cholesky_errors():
            return [None] * len(problems)  # each member again on its own, where its own failure is reported
        seconds = (time.perf_counter() - start) / len(problems)
        out: list[FitResult | None] = []
        for k, (problem, mean) in enumerate(zip(problems, means)):
            if not np.isfinite(fit.loss[k]):
                out.append(None)
                continue
            hyper = self.space.from_scaled_vector(self.bounds.forward(fit.u[k]))
            ok = bool(fit.converged[k])
            stop = "converged" if ok else ("line_search_failed" if fit.failed[k] else "iteration_limit")
            out.append(
                FitResult(
                    problem.expert_id,
                    hyper,
                    mean,
                    problem.n,
                    int(fit.n_iter[k]),
                    ok,
                    float(fit.loss[k]),
                    seconds,
                    "ok" if ok else "not_converged",
                    stop,
                    self.space.at_bound(hyper),
                )
            )
        return out

    def predict_many(self, problems: list[Problem], hypers: list[Hyper], Xstars: list[np.ndarray]) -> list[dict]:
        """predict() for every problem: the sparse ones in batches on the batched path."""
        from icegp.gp import batched

        preds: list[dict | None] = [None] * len(problems)
        for group in self._groups(problems):
            batch, means = self._batch([problems[i] for i in group])
            S, scale = max(len(Xstars[i]) for i in group), self.space.coords_scale
            Xq = np.zeros((len(group), S, 3))
            for k, i in enumerate(group):
                Xq[k, : len(Xstars[i])] = (points(Xstars[i], problems[i].expert_id) - problems[i].origin) / scale
            theta = np.stack([self.space.to_scaled_vector(self.space.clip(hypers[i])) for i in group])
            f_mean, f_var = batched.predict(self.kernel.name, theta, batch, Xq)
            for k, i in enumerate(group):
                s = len(Xstars[i])
                preds[i] = {
                    "f_mean": f_mean[k, :s] + means[k],
                    "f_var": f_var[k, :s],
                    "y_var": f_var[k, :s] + theta[k, NV],
                }
        return [p if p is not None else self.predict(q, h, x) for p, q, h, x in zip(preds, problems, hypers, Xstars)]

    def predict(self, problem: Problem, hyper: Hyper, Xstar: np.ndarray) -> dict:
        Xs, y, mean = self._scaled(problem)
        theta = self.space.to_scaled_vector(self.space.clip(hyper))
        Xq = (points(Xstar, problem.expert_id) - problem.origin) / self.space.coords_scale
        kind = self._kind(len(y))
        if kind == "exact":
            f_mean, f_var = exact.predict(self.kernel, theta, Xs, y, Xq)
        elif kind == "sparse":
            bound = sparse.SGPRBound(self.kernel, Xs, y, self._inducing(problem, Xs), cache_bytes=0)  # one evaluation
            f_mean, f_var = bound.predict(theta, Xq)
        elif kind == "tf_gpr":
            from icegp.gp import compiled

            f_mean, f_var = compiled.gpr_predict(self.kernel.name, theta, Xs, y, Xq)
        else:
            from icegp.gp import compiled

            f_mean, f_var = compiled.sgpr_predict(self.kernel.name, theta, Xs, y, self._inducing(problem, Xs), Xq)
        return {"f_mean": f_mean + mean, "f_var": f_var, "y_var": f_var + theta[NV]}
