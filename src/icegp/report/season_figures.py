"""A season's figures: a map of each monthly mean, the regional series, the ice-region series and the
calibration of its std."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib import colormaps
from matplotlib.figure import Figure

from icegp.report.maps import axis_label, joined_title, land_of, save_png, write_map


def monthly_maps(
    monthly: xr.Dataset, variable: str, paths: dict, *, vmax: float, background: xr.Dataset | None = None
) -> list[Path]:
    """One map of the monthly mean per month (`paths`: YYYY-MM -> png) on the daily maps' scale, from zero."""
    mean = monthly[variable]
    units = mean.attrs.get("units", "")
    written = []
    for k, month in enumerate(pd.to_datetime(monthly["time"].values).strftime("%Y-%m")):
        title = joined_title(f"{variable} monthly mean", month, f"({int(monthly['days_mapped'].isel(time=k))} days)")
        written.append(
            write_map(
                mean.isel(time=k).transpose("y", "x"),
                paths[month],
                title,
                axis_label(variable, units),
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
    per region, `all` in black, each with a band of its standard error."""
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
            if f"{column}_std" in rows:
                low, high = rows[column] - rows[f"{column}_std"], rows[column] + rows[f"{column}_std"]
                ax.fill_between(months, low, high, color=colours[region], alpha=0.3 if region == "all" else 0.12, lw=0)
        ax.set_ylabel(axis_label(column.removesuffix("_km3").replace("_", " "), units[column]))
        ax.grid(alpha=0.3)
    axes[0].set_title(f"{variable} per region and month (bands: ± 1 standard error)")
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
    ax.set_ylabel(axis_label(variable, units))
    ax.set_title(f"{variable} over the ice-covered region ({int(series['cells'].iloc[0])} cells)")
    ax.legend(fontsize="small")
    fig.autofmt_xdate()
    return save_png(fig, path)


def calibration(daily: pd.DataFrame, pit: dict[str, list[int]], path) -> Path:
    """Whether the std means what it says over the season: the PIT histogram of each check summed over
    the days (flat when calibrated; a U when the std is too small, a hump when too large), and each
    day's shares within +-1 and +-2 std against a Gaussian's."""
    from icegp.product.season import CALIBRATED
    from icegp.validation.scores import NORMAL_WITHIN

    fig = Figure(figsize=(10, 4), layout="constrained")
    hist, shares = fig.subplots(1, 2)
    for against, counts in pit.items():
        density = np.asarray(counts, float) * len(counts) / max(sum(counts), 1)
        edges = np.linspace(0.0, 1.0, len(counts) + 1)
        hist.stairs(density, edges, label=f"{CALIBRATED[against]} ({sum(counts)})", lw=1.5)
    hist.axhline(1.0, color="k", lw=0.8, ls="--", label="calibrated")
    hist.set(xlabel="PIT: Phi(z)", ylabel="density", title="PIT histogram over the season")
    hist.legend(fontsize="x-small")
    for against, days in daily.groupby("against"):
        for k in NORMAL_WITHIN:
            t = pd.to_datetime(days["day"])
            shares.plot(t, days[f"within_{k}std"], marker="o", ms=3, label=f"{against}, within ±{k} std")
    for share in NORMAL_WITHIN.values():
        shares.axhline(share, color="k", lw=0.8, ls="--")
    shares.set(ylabel="share of standardised errors", ylim=(0, 1), title="per day (dashed: a Gaussian's)")
    shares.legend(fontsize="x-small")
    fig.autofmt_xdate()
    return save_png(fig, path)
