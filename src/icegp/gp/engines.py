"""The engine interface and the configured engine (fast or reference) built from the training config."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from icegp.gp.hyper import Hyper, Space
from icegp.gp.problem import FitResult, Problem


class Engine(Protocol):
    """What training and prediction need from a GP engine; every engine is held to the reference."""

    name: str
    space: Space

    def fit_one(self, problem: Problem, init: Hyper | None = None) -> FitResult:
        """Fit one expert from `init` (default: the configured initial values)."""

    def predict(self, problem: Problem, hyper: Hyper, Xstar: np.ndarray) -> dict:
        """f_mean, f_var and y_var at physical coordinates `Xstar`, conditioned on `problem`."""


class BatchedEngine(Engine, Protocol):
    """An engine that fits and predicts many experts together (the fast engine on a GPU)."""

    def fit_many(self, problems: list[Problem], inits: list[Hyper | None]) -> list[FitResult]:
        """fit_one for every problem from its init, together."""

    def predict_many(self, problems: list[Problem], hypers: list[Hyper], Xstars: list[np.ndarray]) -> list[dict]:
        """predict for every problem, together."""


def batching(engine: Engine) -> BatchedEngine | None:
    """The engine as a batched one when it batches experts (``batched`` true), else None."""
    return engine if getattr(engine, "batched", False) else None  # type: ignore[return-value]


def make_engine(training: dict, use_gpu: bool = False) -> Engine:
    """The engine `training` (a resolved `training` section, :func:`icegp.config.resolve`) names."""
    space = Space.from_config(training)
    kwargs = dict(
        model_type=training["model_type"],
        inducing_points=training["inducing_points"],
        inducing_method=training["inducing_method"],
        seed=training["seed"],
        mean=training["prior_mean"],
        max_iter=training["max_iter"],
        tolerance=training["tolerance"],
        fixed=tuple(training["fixed"]),
        kernel=training["kernel"],
    )
    if training["engine"] == "reference":
        from icegp.gp.reference import ReferenceEngine

        return ReferenceEngine(space, **kwargs)
    from icegp.gp.fast import FastEngine

    return FastEngine(space, use_tf=use_gpu, **kwargs)
