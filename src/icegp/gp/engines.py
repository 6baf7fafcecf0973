"""The engine interface and the configured engine (fast or reference) built from the training config."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from .hyper import Hyper, Space
from .problem import FitResult, Problem


class Engine(Protocol):
    """What training and prediction need from a GP engine; every engine is held to the reference."""

    name: str
    space: Space

    def fit_one(self, problem: Problem, init: Hyper | None = None) -> FitResult:
        """Fit one expert from `init` (default: the configured initial values)."""

    def predict(self, problem: Problem, hyper: Hyper, Xstar: np.ndarray) -> dict:
        """f_mean, f_var and y_var at physical coordinates `Xstar`, conditioned on `problem`."""


def make_engine(training: dict, use_gpu: bool = False) -> Engine:
    space = Space.from_config(training)
    kwargs = dict(model_type=training.get("model_type", "GPR"), inducing_points=training.get("inducing_points", 500),
                  inducing_method=training.get("inducing_method", "random"),
                  seed=training.get("seed", 0), mean=training.get("prior_mean", "local"),
                  max_iter=training.get("max_iter", 10_000), tolerance=training.get("tolerance", 1e-6),
                  fixed=tuple(training.get("fixed", ())), kernel=training.get("kernel", "Matern32"))
    if training.get("engine", "fast") == "reference":
        from .reference import ReferenceEngine

        return ReferenceEngine(space, **kwargs)
    from .fast import FastEngine

    return FastEngine(space, use_tf=use_gpu, **kwargs)
