"""What an engine is given and what it returns, independent of TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2

from icegp.gp.hyper import COLUMNS, Hyper


@dataclass
class Problem:
    """One expert's training data: X (n, 3) physical x, y (m), t (days); y (n,) observations."""

    expert_id: int
    origin: np.ndarray  # (3,) the expert location; engines centre X on it for numerical comfort
    X: np.ndarray
    y: np.ndarray

    def __post_init__(self):
        """Shapes are checked here, where arrays cross into the GP engines."""
        if np.ndim(self.X) != 2 or np.shape(self.X)[1] != 3 or np.shape(self.y) != (len(self.X),):
            raise ValueError(
                f"expert {self.expert_id}: X has shape {np.shape(self.X)} and y {np.shape(self.y)}, "
                "expected (n, 3) and (n,)"
            )
        if np.shape(self.origin) != (3,):
            raise ValueError(f"expert {self.expert_id}: origin has shape {np.shape(self.origin)}, expected (3,)")

    @property
    def n(self) -> int:
        return len(self.y)


def points(Xstar, expert_id: int) -> np.ndarray:
    """Prediction inputs as a (k, 3) float array of physical x, y, t: the check where they enter an engine."""
    X = np.asarray(Xstar, float)
    if X.ndim != 2 or X.shape[1] != 3:
        raise ValueError(f"expert {expert_id}: prediction inputs have shape {X.shape}, expected (k, 3)")
    return X


@dataclass
class FitResult:
    expert_id: int
    hyper: Hyper | None
    mean: float
    n_obs: int
    n_iter: int
    converged: bool
    loss: float  # the minimised objective: -log marginal likelihood (GPR) or -ELBO (SGPR)
    seconds: float
    status: str  # ok | not_converged | cholesky_failed | too_few_obs
    stop: str = ""  # why the optimiser stopped (STOP_REASONS), "" when it did not run
    at_bound: str = ""  # the hyperparameters that ended on a bound, comma-separated
    start: str = "init"  # the start that won (see icegp.experts.training.fit_expert)
    gain: float = 0.0  # how much lower its objective is than the single start's from `init`

    def as_row(self) -> dict:
        row = {
            "expert_id": self.expert_id,
            "mean": self.mean,
            "n_obs": self.n_obs,
            "n_iter": self.n_iter,
            "converged": self.converged,
            "loss": self.loss,
            "seconds": self.seconds,
            "status": self.status,
            "stop": self.stop,
            "at_bound": self.at_bound,
            "start": self.start,
            "gain": self.gain,
        }
        if self.hyper is not None:
            row.update(self.hyper.as_row())
        else:
            row.update({c: np.nan for c in COLUMNS})
        return row


#: L-BFGS-B's messages (SciPy writes them with spaces or underscores) and what each says about the fit.
STOP_REASONS = {
    "NORM OF PROJECTED GRADIENT": "gradient_tolerance",  # a stationary point
    "REDUCTION OF F": "objective_tolerance",  # the objective stopped falling: flat, maybe not optimal
    "ITERATIONS REACHED LIMIT": "iteration_limit",
    "EVALUATIONS EXCEEDS LIMIT": "evaluation_limit",
    "ABNORMAL": "line_search_failed",
}


def stop_reason(message) -> str:
    """Why SciPy's L-BFGS-B stopped, as one of STOP_REASONS' values (or its message, shortened)."""
    text = str(message.decode() if isinstance(message, bytes) else message).upper().replace("_", " ")
    for key, reason in STOP_REASONS.items():
        if key in text:
            return reason
    return text.strip().lower()[:40]


def prior_mean(y: np.ndarray, kind: str) -> float:
    """The per-expert prior mean: 'local' de-means (the default), 'zero' reproduces GPSat."""
    if kind == "local":
        return float(np.mean(y))
    if kind == "zero":
        return 0.0
    raise ValueError(f"config key training.prior_mean: {kind!r} is not 'local' or 'zero'")


def inducing_points(X: np.ndarray, m: int, *, method: str, seed: int, expert_id: int) -> np.ndarray:
    """M fixed inducing inputs from an expert's (scaled) inputs X; all of X when it has no more than m.

    random: a seeded subsample of the data (GPSat's choice, made reproducible).
    kmeans: k-means centres (scipy's kmeans2 from a seeded draw of data points), which cover the data
    evenly and so reach a given bound with fewer points than a random draw.
    """
    n = len(X)
    if n <= m:
        return X.copy()
    rng = np.random.default_rng([seed, int(expert_id)])
    if method == "random":
        return X[np.sort(rng.choice(n, size=m, replace=False))]
    if method == "kmeans":
        centres, _ = kmeans2(X, m, minit="points", seed=rng, iter=10)
        return centres
    raise ValueError(f"config key training.inducing_method: {method!r} is not 'random' or 'kmeans'")
