"""Gridded inputs on the product grid: sea-ice concentration, region masks and compared products, on
any product grid (coarser, equal or finer than the source's; any CRS pyproj knows) by one path.

Each of our cells is sampled at k x k points spread evenly over it, and each point takes the source
cell nearest to it on the ellipsoid (pyresample's kd-tree lookup). k puts the points at most half a
source cell apart, so a field's cell value, the mean of its points' values, is the source's
area-weighted mean over our cell to within a sliver of source cell at the edges (conservative for a
field constant on source cells); on a grid finer than the source's, k = 1 and a cell takes the
source cell that holds its centre. A category (a region) is the most common code of the points,
land codes left out.
Points off the source's grid, or on its missing cells, count for nothing; a cell none of whose
points has a value is left without one, or filled from the nearest valid source cell nearby.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: A point takes a source cell whose centre is within this many source spacings (a cell's half
#: diagonal is 0.71 of one, and the ellipsoid's distances differ from the projection's by a few %).
REACH = 0.75
#: A cell a source leaves without a value, where one is needed, takes the nearest valid source cell
#: within this many source spacings (200 km for a 25 km source): a concentration flags a coast band
#: (and channels narrower than its footprint) as water it could not measure, a region mask puts such
#: channels on land. Lakes a source flags whole stay without one.
FILL_SPACINGS = 8.0


@dataclass(frozen=True, eq=False)
class Grid:
    """A regular grid by its cell-centre axes (metres, any order) and its CRS."""

    x: np.ndarray
    y: np.ndarray
    crs: str

    @property
    def spacing(self) -> float:
        return max(abs(float(self.x[1] - self.x[0])), abs(float(self.y[1] - self.y[0])))

    def area(self, refine: int = 1):
        """The grid (each cell split into refine x refine) as a pyresample area, rows north first."""
        from pyresample.geometry import AreaDefinition

        dx, dy = abs(float(self.x[1] - self.x[0])), abs(float(self.y[1] - self.y[0]))
        extent = (
            float(self.x.min()) - dx / 2,
            float(self.y.min()) - dy / 2,
            float(self.x.max()) + dx / 2,
            float(self.y.max()) + dy / 2,
        )
        return AreaDefinition("grid", "grid", "grid", self.crs, len(self.x) * refine, len(self.y) * refine, extent)

    def north_first(self, values: np.ndarray) -> np.ndarray:
        """`values` on (y, x) in the axes' order, flipped to a pyresample area's (y descending, x ascending)."""
        if self.y[0] < self.y[-1]:
            values = values[::-1]
        return values[:, ::-1] if self.x[0] > self.x[-1] else values


class Regridder:
    """The lookup from one source grid to one target grid, made once and applied to every day's field."""

    def __init__(self, source: Grid, target: Grid):
        from pyresample import kd_tree

        self.source, self.target = source, target
        self.refine = max(1, math.ceil(2.0 * target.spacing / source.spacing))
        valid_in, valid_out, index, _ = kd_tree.get_neighbour_info(
            source.area(), target.area(self.refine), REACH * source.spacing, neighbours=1
        )
        inputs = np.flatnonzero(valid_in)
        found = valid_out.copy()
        found[valid_out] = index < len(inputs)
        #: for every point of every target cell (north first), its source cell (flattened, north first), -1 if none
        self.points = np.full(valid_out.size, -1, np.int64)
        self.points[found] = inputs[index[found[valid_out]]]

    @property
    def fill_reach(self) -> float:
        """How far (metres) a needed cell without a value looks for the nearest valid source cell."""
        return FILL_SPACINGS * self.source.spacing

    @cached_property
    def _shape(self) -> tuple[int, int, int, int]:
        k = self.refine
        return len(self.target.y), k, len(self.target.x), k

    def _sampled(self, values: np.ndarray, fill) -> np.ndarray:
        """The source `values` (y, x in its axes' order) at every point, (ny, k, nx, k), `fill` where none."""
        flat = self.source.north_first(np.asarray(values)).ravel()
        out = np.where(self.points >= 0, flat[np.maximum(self.points, 0)], fill)
        return out.reshape(self._shape)

    def _ours(self, north_first: np.ndarray) -> np.ndarray:
        """A north-first (y, x) result back in the target axes' order."""
        return self.target.north_first(north_first)

    def coverage(self, values: np.ndarray) -> np.ndarray:
        """The share of each target cell's points on a valid source cell: what part of the cell the
        source measured (its mean x coverage x cell area is the source's own area-weighted total)."""
        return self._ours(np.isfinite(self._sampled(np.asarray(values, float), np.nan)).mean(axis=(1, 3)))

    def mean(
        self, values: np.ndarray, *, fill_within: float = 0.0, fill_where: np.ndarray | None = None
    ) -> tuple[np.ndarray, int]:
        """The mean of the source field (NaN where missing) over each target cell, and the number of
        cells filled. A cell of `fill_where` (target axes' order; every cell if None) none of whose
        points lies on a valid source cell takes the nearest valid source cell within `fill_within`
        metres of its centre (0: none), for a source that flags a band of water it could not measure
        (a concentration's coast)."""
        values = np.asarray(values, float)
        sampled = self._sampled(values, np.nan)
        valid = np.isfinite(sampled)
        n = valid.sum(axis=(1, 3))
        with np.errstate(invalid="ignore"):
            mean = np.where(n > 0, np.where(valid, sampled, 0.0).sum(axis=(1, 3)) / n, np.nan)
        took, found = self._fill(values, n == 0, within=fill_within, where=fill_where)
        mean[took] = found
        return self._ours(mean), int(took.sum())

    def _fill(
        self, values: np.ndarray, empty: np.ndarray, *, within: float, where: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which `empty` target cells (north first) of `where` (target axes' order; every cell if
        None) take the nearest valid source value within `within` metres (0: none), and those values."""
        if where is not None:
            empty = empty & self.target.north_first(np.asarray(where, bool))
        took = np.zeros_like(empty)
        if within <= 0 or not empty.any():
            return took, np.empty(0)
        nearest = self._nearest_valid(values, empty, within)
        took[empty] = np.isfinite(nearest)
        return took, nearest[np.isfinite(nearest)]

    @cached_property
    def _lonlats(self):
        return self.source.area().get_lonlats(), self.target.area().get_lonlats()

    def _nearest_valid(self, values: np.ndarray, empty: np.ndarray, within: float) -> np.ndarray:
        """The nearest valid source value to each empty target cell's centre (north first), NaN beyond `within`."""
        from pyresample import kd_tree
        from pyresample.geometry import SwathDefinition

        (slon, slat), (tlon, tlat) = self._lonlats
        flat = self.source.north_first(values)
        ok = np.isfinite(flat)
        if not ok.any():
            return np.full(int(empty.sum()), np.nan)
        return kd_tree.resample_nearest(
            SwathDefinition(slon[ok], slat[ok]),
            flat[ok],
            SwathDefinition(tlon[empty], tlat[empty]),
            radius_of_influence=within,
            fill_value=np.nan,
        )

    def majority(
        self,
        codes: np.ndarray,
        *,
        background: int = 0,
        land: tuple[int, ...] = (),
        fill_within: float = 0.0,
        fill_where: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """The most common code of each target cell's points (ties to the smaller code), `background`
        only where no point has another; points with a `land` code count for nothing, as points off
        the source do. A cell of `fill_where` (every cell if None) without a water point takes the
        nearest water code within `fill_within` metres of its centre (0: none), for a channel our
        ocean mask resolves and the source's does not. Returns the codes (`background` where none),
        which cells have none, and how many were filled."""
        codes = np.asarray(codes).astype(np.int64)
        water = np.where(np.isin(codes, land), -1, codes)
        sampled = self._sampled(water, -1)
        per_cell = sampled.transpose(0, 2, 1, 3).reshape(-1, self.refine**2)
        counts = np.zeros((per_cell.shape[0], int(max(per_cell.max(), background)) + 2), np.int64)
        rows = np.repeat(np.arange(per_cell.shape[0]), per_cell.shape[1])
        np.add.at(counts, (rows, per_cell.ravel() + 1), 1)  # column 0 counts the points off the source or on land
        shape = (len(self.target.y), len(self.target.x))
        wet = (counts[:, 1:].sum(axis=1) > 0).reshape(shape)
        counts[:, [0, background + 1]] = 0  # the codes other than background
        out = np.where(counts.sum(axis=1) > 0, counts.argmax(axis=1) - 1, background).reshape(shape)
        took, found = self._fill(np.where(water >= 0, water, np.nan), ~wet, within=fill_within, where=fill_where)
        out[took] = found
        return self._ours(out), self._ours(~wet & ~took), int(took.sum())
