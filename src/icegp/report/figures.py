"""Diagnostic PNG figures for the workflow report.

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
import pandas as pd
import xarray as xr
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from icegp.gp.hyper import COLUMNS, UNITS
from icegp.util.atomic import atomic_path

#: Fixed colours for the statuses an expert can end in; any other status gets the next free colour.
STATUS_COLOURS = {
    "ok": "tab:green",
    "not_converged": "tab:orange",
    "cholesky_failed": "tab:red",
    "too_few_obs": "tab:gray",
    "no_hyperparameters": "tab:purple",
}
_SPARE_COLOURS = ("tab:blue", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")

#: Hyperparameter columns in plotting order, with the divisor to the shown unit and its label
#: (lengthscales in metres are shown in km; variances in the observations' squared units).
SHOWN_UNITS = {"m": (1e3, "km"), "days": (1.0, "days"), "obs^2": (1.0, "")}
HYPERPARAMETERS = {c: SHOWN_UNITS[UNITS[c]] for c in COLUMNS}


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


def _finite_range(*arrays, clip: float = 0.0) -> tuple[float | None, float | None]:
    """Shared colour limits over the finite values of all arrays, optionally the `clip` and
    100 − `clip` percentiles so a few wild values do not flatten the rest; (None, None), letting
    matplotlib choose, when nothing is finite."""
    values = np.concatenate([np.asarray(a, float).ravel() for a in arrays])
    values = values[np.isfinite(values)]
    if not values.size:
        return None, None
    low, high = np.percentile(values, [clip, 100.0 - clip])
    return float(low), float(high)


def _first_time(da: xr.DataArray) -> xr.DataArray:
    """The (y, x) slice at the first time step; products hold one time step per file."""
    return (da.isel(time=0) if "time" in da.dims else da).transpose("y", "x")


def _time_label(da: xr.DataArray) -> str:
    """The date of the first time step, for titles ('' when the field carries no time)."""
    if "time" not in da.coords:
        return ""
    value = np.asarray(da["time"].values).ravel()[0]
    if np.issubdtype(np.asarray(value).dtype, np.datetime64):
        return str(np.datetime_as_string(value, unit="D"))
    return str(value)


def _label(name: str, units: str) -> str:
    return f"{name} [{units}]" if units else name


def _title(*parts: str) -> str:
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


def _write_map(
    field: xr.DataArray, path: Path, title: str, cbar_label: str, land=None, background=None, **mesh_kwargs
) -> Path:
    """pcolormesh of a (y, x) field on its projected grid, with a colour bar; land (when given) in its
    own colour, so it is never mistaken for open water or for a cell without data (grey); with a map
    background, land, coastlines and latitude circles from it."""
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


def product_maps(
    ds: xr.Dataset,
    variable: str,
    paths,
    *,
    vmax: float,
    std_vmax: float,
    truth: xr.DataArray | None = None,
    background: xr.Dataset | None = None,
) -> list[Path]:
    """Maps of the product, its standard deviation and the binned input to `paths["product"]`,
    `["std"]`, `["input"]` (and product − truth to `["difference"]` when a truth field on the same
    grid is given); the scales start at zero and end at `vmax` (`std_vmax`), so every day of a season
    is drawn alike; returns the written paths."""
    field = _first_time(ds[variable])
    std = _first_time(ds[f"{variable}_std"])
    binned = _first_time(ds[f"{variable}_input"])
    units = ds[variable].attrs.get("units", "")
    when = _title(_time_label(ds[variable]), "(missing day)" if ds.attrs.get("day_status") == "missing" else "")
    land = land_of(ds)
    shown = {"land": land, "background": background, "cmap": "viridis"}
    written = [
        _write_map(
            field, Path(paths["product"]), _title(variable, when), _label(variable, units), vmin=0.0, vmax=vmax, **shown
        ),
        _write_map(
            std,
            Path(paths["std"]),
            _title("standard deviation", when),
            _label("standard deviation", ds[f"{variable}_std"].attrs.get("units", units)),
            vmin=0.0,
            vmax=std_vmax,
            **shown,
        ),
        _write_map(
            binned,
            Path(paths["input"]),
            _title("binned input", when),
            _label(variable, units),
            vmin=0.0,
            vmax=vmax,
            **shown,
        ),
    ]
    if truth is not None:
        written.append(_difference_map(field, truth, Path(paths["difference"]), units, when, background=background))
    return written


def _difference_map(
    field: xr.DataArray, truth: xr.DataArray, path: Path, units: str, when: str, background: xr.Dataset | None = None
) -> Path:
    """product − truth on a diverging scale centred at 0; bias and RMSE in the title."""
    field, truth = xr.align(field, truth.transpose("y", "x"), join="exact")  # a grid mismatch raises
    return _difference(field - truth, path, what="product − truth", when=when, units=units, background=background)


def comparison_map(
    field: xr.DataArray, other: xr.DataArray, path, *, name: str, background: xr.Dataset | None = None
) -> Path:
    """The product minus another product regridded to its cells (`name` in the title)."""
    field = _first_time(field)
    diff = field - other.transpose("y", "x")
    units = field.attrs.get("units", "")
    return _difference(
        diff, Path(path), what=f"product − {name}", when=_time_label(field), units=units, background=background
    )


def _difference(diff: xr.DataArray, path: Path, *, what: str, when: str, units: str, background) -> Path:
    values = diff.values[np.isfinite(diff.values)]
    stats = f"bias {values.mean():.3g}, RMSE {np.sqrt((values**2).mean()):.3g}" if values.size else "no overlap"
    limit = symmetric_limit(diff.values)
    return _write_map(
        diff,
        path,
        _title(what, when, f"({stats})"),
        _label("difference", units),
        background=background,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
    )


def _scatter_axes(ax: Axes, title: str) -> None:
    ax.set_aspect("equal")
    ax.set_xlabel("x [km]")
    ax.set_ylabel("y [km]")
    ax.set_title(title)


def _status_colours(statuses) -> dict[str, str]:
    """Known statuses in their fixed colours and order, any others after them, sorted."""
    known = [s for s in STATUS_COLOURS if s in statuses]
    others = sorted(set(statuses) - set(STATUS_COLOURS))
    spare = {s: _SPARE_COLOURS[i % len(_SPARE_COLOURS)] for i, s in enumerate(others)}
    return {s: STATUS_COLOURS[s] for s in known} | spare


def expert_status(experts_df: pd.DataFrame, out_path) -> Path:
    """Where the local experts are and how each one ended, so failures that cluster stand out."""
    fig = Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    status = experts_df["status"].astype(str)
    for name, colour in _status_colours(status.unique()).items():
        sel = experts_df[status == name]
        ax.scatter(sel["x"] / 1e3, sel["y"] / 1e3, s=14, color=colour, label=f"{name} ({len(sel)})")
    _scatter_axes(ax, f"expert status ({len(experts_df)} experts)")
    fig.legend(loc="outside right upper", fontsize="small")  # beside the map, never over experts
    return save_png(fig, out_path)


def on_bound(hyp_df: pd.DataFrame, param: str) -> np.ndarray:
    """Experts whose fit of `param` ended on a bound (the train table's `at_bound` list)."""
    if "at_bound" not in hyp_df.columns:
        return np.zeros(len(hyp_df), dtype=bool)
    return hyp_df["at_bound"].fillna("").astype(str).str.split(",").apply(lambda names: param in names).to_numpy()


def hyperparameter_maps(hyp_df: pd.DataFrame, out_path) -> Path:
    """Raw versus smoothed hyperparameters per expert, one row per parameter on a shared colour
    scale (2nd-98th percentile), so the effect of smoothing is visible; experts whose fit ended on a
    bound are ringed in red on the raw map; parameters without either column are skipped."""
    rows = [p for p in HYPERPARAMETERS if {p, f"{p}_raw"} & set(hyp_df.columns)]
    if not rows:
        raise ValueError(
            f"no hyperparameter columns (any of {list(HYPERPARAMETERS)}, with or without "
            f"'_raw') in the table; found {list(hyp_df.columns)}"
        )
    fig = Figure(figsize=(10, 3.6 * len(rows)), layout="constrained")
    axes = fig.subplots(len(rows), 2, squeeze=False)
    x, y = hyp_df["x"] / 1e3, hyp_df["y"] / 1e3
    for (ax_raw, ax_smooth), param in zip(axes, rows):
        scale, units = HYPERPARAMETERS[param]
        columns = {ax_raw: f"{param}_raw", ax_smooth: param}
        shown = {ax: hyp_df[c] / scale for ax, c in columns.items() if c in hyp_df.columns}
        vmin, vmax = _finite_range(*shown.values(), clip=2.0)  # raw fits have outliers
        for ax, kind in ((ax_raw, "raw"), (ax_smooth, "smoothed")):
            if ax not in shown:
                ax.set_axis_off()
                ax.set_title(f"{param} {kind}: not available")
                continue
            sc = ax.scatter(x, y, c=shown[ax], s=14, cmap="viridis", vmin=vmin, vmax=vmax)
            _scatter_axes(ax, f"{param} {kind}")
        on = on_bound(hyp_df, param)
        if on.any():  # a fit that ended on a bound found no interior optimum in that direction
            ax_raw.scatter(x[on], y[on], s=40, facecolors="none", edgecolors="red", linewidths=1.0)
            ax_raw.set_title(f"{param} raw (red ring: {int(on.sum())} ended on a bound)")
        fig.colorbar(sc, ax=[ax_raw, ax_smooth], label=_label(param, units))
    return save_png(fig, out_path)


def monthly_maps(
    monthly: xr.Dataset, variable: str, paths: dict, *, vmax: float, background: xr.Dataset | None = None
) -> list[Path]:
    """One map of the monthly mean per month (`paths`: YYYY-MM -> png) on the daily maps' scale, from zero."""
    mean = monthly[variable]
    units = mean.attrs.get("units", "")
    written = []
    for k, month in enumerate(pd.to_datetime(monthly["time"].values).strftime("%Y-%m")):
        title = _title(f"{variable} monthly mean", month, f"({int(monthly['days_mapped'].isel(time=k))} days)")
        written.append(
            _write_map(
                mean.isel(time=k).transpose("y", "x"),
                paths[month],
                title,
                _label(variable, units),
                land_of(monthly),
                background,
                cmap="viridis",
                vmin=0.0,
                vmax=vmax,
            )
        )
    return written


def regional_series(table: pd.DataFrame, variable: str, path) -> Path:
    """The regional table's monthly mean per region (and volume, when the table has one), a line
    per region, `all` in black."""
    panels = [f"mean_{variable}"] + (["volume_km3"] if "volume_km3" in table else [])
    fig = Figure(figsize=(9, 3.6 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    months = sorted(table["month"].unique())
    units = {f"mean_{variable}": "m", "volume_km3": "km3"}
    regions = sorted(set(table["region"]) - {"all"})
    colours = {r: colormaps["tab20"](k % 20) for k, r in enumerate(regions)} | {"all": "black"}
    for ax, column in zip(axes, panels):
        for region, rows in table.groupby("region", sort=True):
            rows = rows.set_index("month").reindex(months)
            ax.plot(
                months,
                rows[column],
                marker="o",
                ms=3,
                label=region,
                color=colours[region],
                lw=2.5 if region == "all" else 1.2,
            )
        ax.set_ylabel(_label(column.removesuffix("_km3").replace("_", " "), units[column]))
        ax.grid(alpha=0.3)
    axes[0].set_title(f"{variable} per region and month")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper", fontsize="x-small")
    return save_png(fig, path)


def season_series(series: pd.DataFrame, variable: str, units: str, path) -> Path:
    """Daily mean over the ice-covered region with a band of one standard deviation over its cells."""
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    t = pd.to_datetime(series["time"])
    ax.fill_between(
        t, series["mean"] - series["std"], series["mean"] + series["std"], alpha=0.3, label="± 1 std over cells"
    )
    ax.plot(t, series["mean"], marker="o", ms=3, label="mean")
    ax.set_ylabel(_label(variable, units))
    ax.set_title(f"{variable} over the ice-covered region ({int(series['cells'].iloc[0])} cells)")
    ax.legend(fontsize="small")
    fig.autofmt_xdate()
    return save_png(fig, path)
