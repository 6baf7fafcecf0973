"""Build the configured engine (fast or reference) from the training config."""
from __future__ import annotations

from .hyper import Space


def make_engine(training: dict, use_gpu: bool = False):
    space = Space.from_config(training)
    kwargs = dict(model_type=training.get("model_type", "GPR"), inducing_points=training.get("inducing_points", 500),
                  inducing_method=training.get("inducing_method", "random"),
                  seed=training.get("seed", 0), mean=training.get("prior_mean", "local"),
                  max_iter=training.get("max_iter", 10_000), tolerance=training.get("tolerance", 1e-6),
                  fixed=tuple(training.get("fixed", ())))
    if training.get("engine", "fast") == "reference":
        from .reference import ReferenceEngine

        return ReferenceEngine(space, **kwargs)
    from .fast import FastEngine

    return FastEngine(space, use_tf=use_gpu, **kwargs)
