"""Hyperparameters in physical units (metres, days, m^2) and their bounds, independent of any engine.

Every engine works in scaled coordinates (x / coords_scale); the conversion lives only here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Param:
    """One hyperparameter group: its config key (``training.init``, ``bounds``, ``fixed``), its table
    columns, their physical units and its place in the 5-vector theta the engines optimise."""

    name: str
    columns: tuple[str, ...]
    units: tuple[str, ...]
    index: slice


#: The layout of theta = (l_x, l_y, l_t, kernel variance, likelihood variance). Variances are in the
#: squared units of the observations (m^2 for thickness, none for concentration).
PARAMETERS = (
    Param("lengthscales", ("lengthscale_x", "lengthscale_y", "lengthscale_t"), ("m", "m", "days"), slice(0, 3)),
    Param("kernel_variance", ("kernel_variance",), ("obs^2",), slice(3, 4)),
    Param("likelihood_variance", ("likelihood_variance",), ("obs^2",), slice(4, 5)),
)
PARAM = {p.name: p for p in PARAMETERS}
COLUMNS = tuple(c for p in PARAMETERS for c in p.columns)
UNITS = dict(zip(COLUMNS, (u for p in PARAMETERS for u in p.units)))
#: theta[LS] the lengthscales, theta[KV] the kernel variance, theta[NV] the noise (likelihood) variance
LS, KV, NV = PARAM["lengthscales"].index, PARAM["kernel_variance"].index.start, PARAM["likelihood_variance"].index.start


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def logit(p):
    return np.log(p) - np.log1p(-p)


class BoundedVector:
    """theta = low + (high - low) * sigmoid(u): the Sigmoid bijector GPflow's reference uses."""

    def __init__(self, low, high):
        self.low, self.high = np.asarray(low, float), np.asarray(high, float)

    def forward(self, u):
        return self.low + (self.high - self.low) * sigmoid(u)

    def inverse(self, theta):
        p = (np.asarray(theta, float) - self.low) / (self.high - self.low)
        return logit(np.clip(p, 1e-12, 1 - 1e-12))

    def jacobian(self, u):
        s = sigmoid(u)
        return (self.high - self.low) * s * (1.0 - s)


@dataclass(frozen=True)
class Hyper:
    """One expert's hyperparameters in physical units."""

    lengthscales: np.ndarray  # (3,) metres, metres, days
    kernel_variance: float
    likelihood_variance: float

    def as_row(self) -> dict:
        """The table columns (COLUMNS) and their values."""
        values = np.r_[self.lengthscales, self.kernel_variance, self.likelihood_variance]
        return dict(zip(COLUMNS, (float(v) for v in values)))

    @classmethod
    def from_row(cls, row) -> "Hyper":
        v = np.array([row[c] for c in COLUMNS], float)
        return cls(v[LS], float(v[KV]), float(v[NV]))


@dataclass(frozen=True)
class Space:
    """Bounds, initial values and coordinate scaling shared by all experts of a run."""

    coords_scale: np.ndarray
    low: Hyper
    high: Hyper
    init: Hyper

    @classmethod
    def from_config(cls, training: dict) -> "Space":
        bounds, init = training["bounds"], training["init"]

        def side(key):
            ls = np.broadcast_to(np.asarray(bounds["lengthscales"][key], float), (3,)).copy()
            return Hyper(ls, float(bounds["kernel_variance"][key]), float(bounds["likelihood_variance"][key]))

        space = cls(
            np.asarray(training["coords_scale"], float),
            side("low"),
            side("high"),
            Hyper(
                np.asarray(init["lengthscales"], float),
                float(init["kernel_variance"]),
                float(init["likelihood_variance"]),
            ),
        )
        space.check()
        return space

    def check(self) -> None:
        for name, lo, hi, v in zip(
            COLUMNS, self.low.as_row().values(), self.high.as_row().values(), self.init.as_row().values()
        ):
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

    def transform(self) -> BoundedVector:
        """The map from unconstrained u to bounded theta that every engine optimises in."""
        low, high, _ = self.vectors()
        return BoundedVector(low, high)

    @staticmethod
    def free(fixed=()) -> np.ndarray:
        """Boolean mask over theta: True for the entries the optimiser moves (not in `fixed`)."""
        mask = np.ones(len(COLUMNS), bool)
        for name in fixed:
            mask[PARAM[name].index] = False
        return mask

    def vectors(self):
        """(low, high, init) as 5-vectors theta in scaled units."""
        return tuple(self.to_scaled_vector(h) for h in (self.low, self.high, self.init))

    def from_scaled_vector(self, v) -> Hyper:
        v = np.asarray(v, float)
        return Hyper(v[LS] * self.coords_scale, float(v[KV]), float(v[NV]))

    def to_scaled_vector(self, h: Hyper) -> np.ndarray:
        return np.r_[h.lengthscales / self.coords_scale, h.kernel_variance, h.likelihood_variance]
