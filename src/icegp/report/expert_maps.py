"""Where the experts sit and what they fitted: each expert's status, and its hyperparameters as
trained and as smoothed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from icegp.gp.hyper import COLUMNS, UNITS
from icegp.report.maps import axis_label, finite_range, save_png

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
        vmin, vmax = finite_range(*shown.values(), clip=2.0)  # raw fits have outliers
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
        fig.colorbar(sc, ax=[ax_raw, ax_smooth], label=axis_label(param, units))
    return save_png(fig, out_path)
