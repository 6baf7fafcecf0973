"""Consecutive target days at fixed hyperparameters: each expert's SGPR statistics per data day,
computed once and slid from window to window.

Why: over a chunk of consecutive days an expert keeps its place, its hyperparameters (the chunk's)
and its inducing points (k-means centres of the data of every window of the chunk), so the
statistics of one data day (:mod:`icegp.gp.statistics`) serve every window that covers it. A day's
window is the previous day's plus the day that enters minus the day that leaves, whatever its
length; its posterior costs one M x M factorisation. The hold-out's posterior is the window's
statistics minus the held-out tracks', exactly. An expert with no more observations than inducing
points is an exact GP (as in the fast engine): `posterior` returns None for it, and the caller
predicts it from its window's data, as the daily path does.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icegp.experts import selection
from icegp.gp.fast import FastEngine
from icegp.gp.hyper import NV, Hyper
from icegp.gp.problem import inducing_points
from icegp.gp.statistics import PackedStatistics, Posterior, SlidingSum, Statistics, statistics

#: An expert's window sums are made from scratch on the chunk's first day and every this many days
#: after it, and slid in between: subtraction's rounding grows for at most this many days, and the
#: sums of a day do not depend on where a run started (a resumed chunk equals an uninterrupted one).
RESUM_DAYS = 7


def chunk_inducing_points(m: int, *, days: int, num_days_before_after: int, lengthscale_t: float) -> int:
    """An expert's inducing points over a chunk of `days` target days, so that as many of them lie
    within a time lengthscale of a target day as the daily path's m do in its window: m x (the
    window's share of the reach +-l) / (the chunk's share). A window shorter than 2 l needs no more
    than m (the field hardly changes over it: more points, with hyperparameters fitted at m, moved
    the +-7-day RMSE up 1-2 %); a +-30-day chunk of 26 days at l = 20 days needs 141 (with m = 100
    it mapped 13-15 % higher RMSE than the daily path at the same hyperparameters)."""
    window, span, reach = 2 * num_days_before_after + 1, days + 2 * num_days_before_after, 2 * lengthscale_t
    return math.ceil(m * min(reach, window) / window * span / min(reach, span))


def place_seed(x: float, y: float) -> int:
    """The inducing points' seed of a place (not of a day's expert number): one Z per place."""
    return zlib.crc32(f"{x:.3f},{y:.3f}".encode())


@dataclass
class _Expert:
    """One place's state over the chunk: its frame, inducing points, hyperparameters, window sums."""

    origin: np.ndarray  # (x, y, the chunk's centre time): the frame its Z and statistics live in
    Z: np.ndarray | None  # scaled; None: never more observations than inducing points (exact path)
    theta: np.ndarray  # scaled, as the engine predicts with
    window: SlidingSum
    day: int | None = None  # the target day the window sums are at


class SlidingExperts:
    """The experts of the `days` consecutive target days `first`, first + 1, ..., predicting from slid
    per-day statistics.

    `chunk_obs` is every observation any window of the chunk uses (it sets the inducing points:
    :func:`chunk_inducing_points` of them), `day_rows(d)` the rows of data day d. An expert's
    hyperparameters are fixed the first time it is asked for (the chunk's are the same every day).
    """

    def __init__(
        self,
        engine: FastEngine,
        chunk_obs: pd.DataFrame,
        day_rows: Callable[[int], pd.DataFrame],
        *,
        first: int,
        days: int,
        training_radius: float,
        num_days_before_after: int,
    ):
        if engine.model_type != "SGPR":
            raise ValueError("sliding statistics are the SGPR bound's: model_type GPR predicts day by day")
        self.engine, self.radius, self.num_days_before_after = engine, training_radius, num_days_before_after
        self.first, self.days, self.centre, self.day_rows = first, days, first + days / 2, day_rows
        self.scale = np.asarray(engine.space.coords_scale, float)
        self._union = selection.LocalData(chunk_obs)
        self._days: dict[int, selection.LocalData] = {}
        self._parts: dict[tuple, PackedStatistics] = {}
        self._experts: dict[tuple, _Expert] = {}

    def _resum_day(self, target_day: int) -> int:
        return self.first + (target_day - self.first) // RESUM_DAYS * RESUM_DAYS

    def forget_before(self, target_day: int) -> None:
        """Drop the data days (and their statistics) that no window from `target_day` on needs."""
        oldest = self._resum_day(target_day) - self.num_days_before_after
        for d in [d for d in self._days if d < oldest]:
            del self._days[d]
        for key in [k for k in self._parts if k[1] < oldest]:
            del self._parts[key]

    def _expert(self, expert, hyper: Hyper) -> tuple[tuple, _Expert]:
        """The expert's place (its key) and state, made the first time the place is asked for."""
        key = (float(expert.x), float(expert.y))
        state = self._experts.get(key)
        if state is None:
            engine = self.engine
            origin = np.array([expert.x, expert.y, self.centre])
            idx = self._union.select(expert.x, expert.y, self.centre, self.radius, np.inf)
            Xs = (self._union.obs.iloc[idx][["x", "y", "t"]].to_numpy(float) - origin) / self.scale
            Z = None
            if len(Xs) > engine.m:  # else every window of the place is an exact GP, as in the daily path
                seed_id = place_seed(expert.x, expert.y)
                m = chunk_inducing_points(
                    engine.m,
                    days=self.days,
                    num_days_before_after=self.num_days_before_after,
                    lengthscale_t=float(engine.space.clip(hyper).lengthscales[2]),
                )
                Z = inducing_points(Xs, m, method=engine.inducing_method, seed=engine.seed, expert_id=seed_id)
            theta = engine.space.to_scaled_vector(engine.space.clip(hyper))
            state = _Expert(origin, Z, theta, SlidingSum(engine.m if Z is None else len(Z)))
            self._experts[key] = state
        return key, state

    def _part(self, key, state: _Expert, d: int) -> PackedStatistics:
        part = self._parts.get((key, d))
        if part is None:
            assert state.Z is not None  # exact-path experts keep no statistics
            if d not in self._days:
                self._days[d] = selection.LocalData(self.day_rows(d))
            local = self._days[d]
            obs = local.obs.iloc[local.select(key[0], key[1], d + 0.5, self.radius, 0.5)]
            Xs = (obs[["x", "y", "t"]].to_numpy(float) - state.origin) / self.scale
            part = PackedStatistics.of(
                statistics(self.engine.kernel, state.theta, state.Z, Xs, obs["obs"].to_numpy(float))
            )
            self._parts[(key, d)] = part
        return part

    def _window(self, key, state: _Expert, target_day: int) -> Statistics:
        """The expert's window sums at `target_day`: slid on from the day before, or made from scratch
        on the last resum day and slid from there (the same sums either way)."""
        n, window = self.num_days_before_after, state.window
        if state.day == target_day:
            return window.total
        start = self._resum_day(target_day)
        if state.day is None or not start <= state.day < target_day:
            for d in list(window.parts):
                window.remove(d)
            for d in range(start - n, start + n + 1):
                window.add(d, self._part(key, state, d))
            window.resum()
            state.day = start
        for day in range(state.day + 1, target_day + 1):
            window.remove(day - n - 1)
            window.add(day + n, self._part(key, state, day + n))
        state.day = target_day
        return window.total

    def posterior(self, expert, hyper: Hyper, target_day: int) -> Callable | None:
        """The expert's predictor on `target_day`'s window: physical (k, 3) inputs -> f_mean, f_var,
        y_var; None where it takes the exact path (no more observations than inducing points)."""
        key, state = self._expert(expert, hyper)
        if state.Z is None:
            return None
        total = self._window(key, state, target_day)
        return self._predictor(state, total) if total.n > self.engine.m else None

    def without(self, expert, hyper: Hyper, target_day: int, held: pd.DataFrame) -> Callable | None:
        """The predictor of the window less the `held` observations (the hold-out's tracks): its
        statistics minus theirs. None where the expert takes the exact path."""
        key, state = self._expert(expert, hyper)
        if state.Z is None:
            return None
        total = self._window(key, state, target_day)
        near = held[np.hypot(held["x"] - expert.x, held["y"] - expert.y) <= self.radius]
        Xs = (near[["x", "y", "t"]].to_numpy(float) - state.origin) / self.scale
        rest = total - statistics(self.engine.kernel, state.theta, state.Z, Xs, near["obs"].to_numpy(float))
        return self._predictor(state, rest) if rest.n > self.engine.m else None

    def _predictor(self, state: _Expert, stats: Statistics) -> Callable:
        assert state.Z is not None  # exact-path experts keep no statistics
        post = Posterior(self.engine.kernel, state.theta, state.Z, stats, mean=stats.mean(self.engine.mean_kind))

        def predict(Xstar: np.ndarray) -> dict:
            f_mean, f_var = post.predict((np.asarray(Xstar, float) - state.origin) / self.scale)
            return {"f_mean": f_mean, "f_var": f_var, "y_var": f_var + state.theta[NV]}

        return predict
