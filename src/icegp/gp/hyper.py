"""Hyperparameters in physical units (metres, days, m^2) and their bounds, independent of any engine.

Every engine works in scaled coordinates (x / coords_scale); the conversion lives only here.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

PARAMS = ("lengthscales", "kernel_variance", "likelihood_variance")
COLUMNS = ("lengthscale_x", "lengthscale_y", "lengthscale_t", "kernel_variance", "likelihood_variance")

DEFAULT_BOUNDS = {
    "lengthscales": {"low": [10_000.0, 10_000.0, 0.5], "high": [1_000_000.0, 1_000_000.0, 20.0]},
    "kernel_variance": {"low": 1e-3, "high": 5.0},
    "likelihood_variance": {"low": 1e-3, "high": 1.0},
}
DEFAULT_INIT = {"lengthscales": [200_000.0, 200_000.0, 2.0], "kernel_variance": 0.3, "likelihood_variance": 0.05}


@dataclass(frozen=True)
class Hyper:
    """One expert's hyperparameters in physical units."""

    lengthscales: np.ndarray  # (3,) metres, metres, days
    kernel_variance: float
    likelihood_variance: float

    def as_row(self) -> dict:
        lx, ly, lt = (float(v) for v in self.lengthscales)
        return {"lengthscale_x": lx, "lengthscale_y": ly, "lengthscale_t": lt,
                "kernel_variance": float(self.kernel_variance),
                "likelihood_variance": float(self.likelihood_variance)}

    @classmethod
    def from_row(cls, row) -> "Hyper":
        return cls(np.array([row["lengthscale_x"], row["lengthscale_y"], row["lengthscale_t"]], float),
                   float(row["kernel_variance"]), float(row["likelihood_variance"]))


@dataclass(frozen=True)
class Space:
    """Bounds, initial values and coordinate scaling shared by all experts of a run."""

    coords_scale: np.ndarray
    low: Hyper
    high: Hyper
    init: Hyper = field(default=None)

    @classmethod
    def from_config(cls, training: dict) -> "Space":
        bounds = {**DEFAULT_BOUNDS, **(training.get("bounds") or {})}
        init = {**DEFAULT_INIT, **(training.get("init") or {})}

        def side(key):
            ls = np.broadcast_to(np.asarray(bounds["lengthscales"][key], float), (3,)).copy()
            return Hyper(ls, float(bounds["kernel_variance"][key]), float(bounds["likelihood_variance"][key]))

        space = cls(np.asarray(training.get("coords_scale", [50_000.0, 50_000.0, 1.0]), float),
                    side("low"), side("high"),
                    Hyper(np.asarray(init["lengthscales"], float), float(init["kernel_variance"]),
                          float(init["likelihood_variance"])))
        space.check()
        return space

    def check(self) -> None:
        for name, lo, hi, v in zip(COLUMNS, self.low.as_row().values(), self.high.as_row().values(),
                                   self.init.as_row().values()):
            if not lo < hi:
                raise ValueError(f"config key training.bounds: {name} low {lo} is not below high {hi}")
            if not lo < v < hi:
                raise ValueError(f"config key training.init: {name} {v} is not strictly inside ({lo}, {hi})")

    def clip(self, h: Hyper, margin: float = 0.0) -> Hyper:
        """Clip into the bounds (used after smoothing or when reusing another run's values).

        With `margin` > 0 the values stay that fraction of the bound width inside, as a Sigmoid
        transform needs (its inverse is infinite on the bounds).
        """
        low, high, _ = self.vectors()
        pad = margin * (high - low)
        v = np.clip(self.to_scaled_vector(h), low + pad, high - pad)
        return self.from_scaled_vector(v)

    def start(self, init: Hyper, fixed=()) -> Hyper:
        """A start for an optimisation from `init`: just inside the bounds (a Sigmoid start cannot sit
        on one), with the `fixed` parameters at their configured initial values."""
        return replace(self.clip(init, margin=1e-9), **{name: getattr(self.init, name) for name in fixed})

    def centre(self) -> Hyper:
        """The middle of the bounds: the Sigmoid transforms' zero, a start far from most `init`s."""
        low, high, _ = self.vectors()
        return self.from_scaled_vector(0.5 * (low + high))

    def at_bound(self, h: Hyper, rtol: float = 1e-2) -> str:
        """The hyperparameters within `rtol` of a bound (relative to the bound), comma-separated: a fit
        that ends there found no interior optimum in that direction."""
        low, high, _ = self.vectors()
        v = self.to_scaled_vector(h)
        near = (np.abs(v - low) <= rtol * np.abs(low)) | (np.abs(high - v) <= rtol * np.abs(high))
        return ",".join(name for name, hit in zip(COLUMNS, near) if hit)

    def vectors(self):
        """(low, high, init) as 5-vectors in scaled units: lx, ly, lt, kernel var, likelihood var."""
        return tuple(self.to_scaled_vector(h) for h in (self.low, self.high, self.init))

    def from_scaled_vector(self, v) -> Hyper:
        v = np.asarray(v, float)
        return Hyper(v[:3] * self.coords_scale, float(v[3]), float(v[4]))

    def to_scaled_vector(self, h: Hyper) -> np.ndarray:
        return np.r_[h.lengthscales / self.coords_scale, h.kernel_variance, h.likelihood_variance]
