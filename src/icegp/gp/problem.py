"""What an engine is given and what it returns, independent of TensorFlow."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hyper import COLUMNS, Hyper


@dataclass
class Problem:
    """One expert's training data: X (n, 3) physical x, y (m), t (days); y (n,) observations."""

    expert_id: int
    origin: np.ndarray  # (3,) the expert location; engines centre X on it for numerical comfort
    X: np.ndarray
    y: np.ndarray

    @property
    def n(self) -> int:
        return len(self.y)


@dataclass
class FitResult:
    expert_id: int
    hyper: Hyper | None
    mean: float
    n_obs: int
    n_iter: int
    converged: bool
    loss: float        # the minimised objective: -log marginal likelihood (GPR) or -ELBO (SGPR)
    seconds: float
    status: str        # ok | not_converged | cholesky_failed | too_few_obs

    def as_row(self) -> dict:
        row = {"expert_id": self.expert_id, "mean": self.mean, "n_obs": self.n_obs, "n_iter": self.n_iter,
               "converged": self.converged, "loss": self.loss, "seconds": self.seconds, "status": self.status}
        if self.hyper is not None:
            row.update(self.hyper.as_row())
        else:
            row.update({c: np.nan for c in COLUMNS})
        return row


def prior_mean(y: np.ndarray, kind: str) -> float:
    """The per-expert prior mean: 'local' de-means (the default), 'zero' reproduces GPSat."""
    if kind == "local":
        return float(np.mean(y))
    if kind == "zero":
        return 0.0
    raise ValueError(f"config key training.prior_mean: {kind!r} is not 'local' or 'zero'")


def inducing_indices(n: int, m: int, seed: int, expert_id: int) -> np.ndarray:
    """Deterministic inducing-point choice: a seeded subsample (all points when n <= m)."""
    if n <= m:
        return np.arange(n)
    rng = np.random.default_rng([seed, int(expert_id)])
    return np.sort(rng.choice(n, size=m, replace=False))
