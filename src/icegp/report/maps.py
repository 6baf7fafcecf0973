"""What every figure of the report is drawn with: a bare figure saved atomically, map axes with
land, coastlines and latitude circles, labels and colour limits.

Figures are built as bare :class:`matplotlib.figure.Figure` objects (rendered by Agg), not through
pyplot: no global figure registry, no backend switch on import, and nothing left open when a
function returns, so many figures can be made in one process without leaking memory.
Coordinates are polar-stereographic metres; maps are drawn in km with equal aspect, with land,
coastlines and latitude circles from the grids job's map background (global-land-mask on a finer
grid), so nothing is downloaded at run time (cartopy would fetch Natural Earth's coastlines).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from icegp.util.atomic import atomic_path


def save_png(fig: Figure, path) -> Path:
    """Write `fig` as PNG atomically, so a killed job never leaves a truncated image behind."""
    path = Path(path)
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, format="png")
    return path


def symmetric_limit(values, percentile: float = 98.0) -> float:
    """Colour limit for a diverging map: a high percentile of |values|, so a few outliers do not
    wash out the rest; 1.0 when there is nothing finite (or only zeros) to scale by."""
    finite = np.abs(np.asarray(values, float))
    finite = finite[np.isfinite(finite)]
    limit = float(np.percentile(finite, percentile)) if finite.size else 0.0
    return limit if limit > 0 else 1.0


def finite_range(*arrays, clip: float = 0.0) -> tuple[float | None, float | None]:
    """Shared colour limits over the finite values of all arrays, optionally the `clip` and
    100 − `clip` percentiles so a few wild values do not flatten the rest; (None, None), letting
    matplotlib choose, when nothing is finite."""
    values = np.concatenate([np.asarray(a, float).ravel() for a in arrays])
    values = values[np.isfinite(values)]
    if not values.size:
        return None, None
    low, high = np.percentile(values, [clip, 100.0 - clip])
    return float(low), float(high)


def first_time(da: xr.DataArray) -> xr.DataArray:
    """The (y, x) slice at the first time step; products hold one time step per file."""
    return (da.isel(time=0) if "time" in da.dims else da).transpose("y", "x")


def time_label(da: xr.DataArray) -> str:
    """The date of the first time step, for titles ('' when the field carries no time)."""
    if "time" not in da.coords:
        return ""
    value = np.asarray(da["time"].values).ravel()[0]
    if np.issubdtype(np.asarray(value).dtype, np.datetime64):
        return str(np.datetime_as_string(value, unit="D"))
    return str(value)


def axis_label(name: str, units: str) -> str:
    return f"{name} [{units}]" if units else name


def joined_title(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _map_axes(title: str) -> tuple[Figure, Axes]:
    """A single map panel in km; grey background so missing (NaN) cells stand out from low values."""
    fig = Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor("0.85")
    ax.set_aspect("equal")
    ax.set_xlabel("x [km]")
    ax.set_ylabel("y [km]")
    ax.set_title(title)
    return fig, ax


LAND_COLOUR = "tan"


def land_of(ds: xr.Dataset) -> np.ndarray | None:
    """Land cells of a product's grid (its `land_mask`), or None for a product without one."""
    if "land_mask" not in ds:
        return None
    return ds["land_mask"].transpose("y", "x").values.astype(bool)


#: Latitude circles drawn on maps (degrees north).
LATITUDE_CIRCLES = (60, 70, 80)


def _draw_background(fig: Figure, ax: Axes, background: xr.Dataset) -> None:
    """Land in its colour, the coastline and latitude circles, from a map background
    (:func:`icegp.grid.map_background`)."""
    x, y = background["x"].values / 1e3, background["y"].values / 1e3
    land = background["land"].values
    ax.pcolormesh(x, y, np.where(land == 1, 1.0, np.nan), shading="nearest", cmap=ListedColormap([LAND_COLOUR]))
    ax.contour(x, y, land, levels=[0.5], colors="0.2", linewidths=0.5)
    circles = ax.contour(
        x, y, background["lat"].values, levels=LATITUDE_CIRCLES, colors="0.35", linewidths=0.6, linestyles="--"
    )
    ax.clabel(circles, fmt="%d°N", fontsize="x-small")
    if "meridian_x" in background:  # a background made before meridians were drawn has none
        _draw_meridians(ax, background, (x.min(), x.max(), y.min(), y.max()))


#: How far inside the map's edge a meridian's label sits, as a share of the map's width.
LABEL_INSET = 0.05


def meridian_label(lon: float) -> str:
    """A longitude as maps write it: 0°, 45°E, 180°, 135°W."""
    east = (lon + 180.0) % 360.0 - 180.0
    if east in (0.0, -180.0):
        return f"{abs(east):.0f}°"
    return f"{abs(east):.0f}°{'E' if east > 0 else 'W'}"


def _draw_meridians(ax: Axes, background: xr.Dataset, extent) -> None:
    """Each meridian as a dashed line, labelled on the line just inside the map where it enters
    (LABEL_INSET of the map's width in from the edge, so no label leaves the axes)."""
    xmin, xmax, ymin, ymax = extent
    inset = LABEL_INSET * max(xmax - xmin, ymax - ymin)
    for k, lon in enumerate(background["meridian"].values):
        mx, my = background["meridian_x"].values[k] / 1e3, background["meridian_y"].values[k] / 1e3
        ax.plot(mx, my, color="0.35", lw=0.6, ls="--")
        inside = np.flatnonzero((mx > xmin + inset) & (mx < xmax - inset) & (my > ymin + inset) & (my < ymax - inset))
        if inside.size:
            j = inside[0]
            ax.text(
                mx[j],
                my[j],
                meridian_label(float(lon)),
                fontsize="x-small",
                color="0.2",
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.7},
            )


def write_map(
    field: xr.DataArray, path: Path, title: str, cbar_label: str, land=None, background=None, **mesh_kwargs
) -> Path:
    """pcolormesh of a (y, x) field on its projected grid, with a colour bar; land (when given) in its
    own colour, so it is never mistaken for open water or for a cell without data (grey); with a map
    background, land, coastlines, latitude circles and labelled meridians from it."""
    fig, ax = _map_axes(title)
    x, y = field["x"].values / 1e3, field["y"].values / 1e3
    mesh = ax.pcolormesh(x, y, field.values, shading="nearest", **mesh_kwargs)
    fig.colorbar(mesh, ax=ax, label=cbar_label, extend="both" if "vmin" in mesh_kwargs else "neither")
    if background is not None:
        _draw_background(fig, ax, background)
        ax.set_xlim(x.min(), x.max())
        ax.set_ylim(y.min(), y.max())
    elif land is not None:
        ax.pcolormesh(x, y, np.where(land, 1.0, np.nan), shading="nearest", cmap=ListedColormap([LAND_COLOUR]))
    if background is not None or land is not None:
        fig.legend(
            handles=[Patch(facecolor=LAND_COLOUR, label="land"), Patch(facecolor="0.85", label="no data")],
            loc="outside lower center",
            ncols=2,
            fontsize="small",
        )
    return save_png(fig, path)
