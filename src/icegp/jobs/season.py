"""Jobs of workflow/rules/season.smk: the season file of the daily products, and the monthly file."""

from __future__ import annotations

import json
import logging

import xarray as xr

import icegp.product.monthly
import icegp.product.season
from icegp.sources import nsidc_0780, nsidc_cdr
from icegp.util.atomic import atomic_path, write_netcdf
from icegp.util.checks import InputError

log = logging.getLogger(__name__)


def season(
    *, products, validations, nc: str, series: str, calibration: str, calibration_table: str, variable: str
) -> xr.Dataset:
    """The daily products on one time axis, with the season's calibration (pooled over its days'
    validation.json) in its attributes, the ice-region series, and the calibration per day and its figure."""
    from icegp.report import season_figures

    stacked = icegp.product.season.stack([xr.open_dataset(p).load() for p in products], variable)
    reports = []
    for path in validations:
        with open(path) as fh:
            reports.append(json.load(fh))
    daily, pooled, pit = icegp.product.season.calibration(reports)
    stacked.attrs.update(pooled)
    write_netcdf(stacked, nc, encoding=icegp.product.season.encoding(stacked))
    with atomic_path(calibration_table, ".csv") as tmp:
        daily.to_csv(tmp, index=False, float_format="%.6g")
    ice = icegp.product.season.ice_series(stacked, variable)
    season_figures.season_series(ice, variable, stacked[variable].attrs.get("units", ""), series)
    season_figures.calibration(daily, pit, calibration)
    log.info(
        "%d days -> %s; ice-region mean %.3f..%.3f; calibration %s",
        stacked.sizes["time"],
        nc,
        ice["mean"].min(),
        ice["mean"].max(),
        {k.removeprefix("icegp_calibration_"): round(v, 4) for k, v in pooled.items()},
    )
    return stacked


def monthly(
    *,
    season_file: str,
    concentration: dict[str, str],
    regions: list,
    background: str,
    nc: str,
    table: str,
    png: str,
    months: dict[str, str],
    variable: str,
    crs: str,
    exclude: list[str],
    vmax: float,
    window_days: int,
    correlation_m: float,
) -> xr.Dataset:
    """The monthly file (with the concentration files' monthly mean and the volume, and the region
    mask's regions, when given), its regional table and plot, and a map per month (`months`:
    YYYY-MM -> png)."""
    from icegp.report import season_figures

    with xr.open_dataset(season_file) as ds:
        season_ds = ds.load()
    x_axis, y_axis = season_ds["x"].values, season_ds["y"].values
    needed = season_ds[variable].notnull().any("time").values  # the cells with an estimate
    conc = None
    if concentration:
        read = {day: nsidc_cdr.read_concentration(path) for day, path in concentration.items()}
        conc = icegp.product.monthly.concentration(read, x_axis, y_axis, crs, source_crs=nsidc_cdr.CRS, needed=needed)
    mask = None
    if regions:
        codes, names, mask_crs = nsidc_0780.read_file(regions[0])
        unknown = sorted(set(exclude) - set(names.values()))
        if unknown:
            raise InputError(
                f"config key monthly.exclude_regions: {unknown} are not regions of {regions[0]} "
                f"({sorted(names.values())})"
            )
        on_ours, without, filled = nsidc_0780.on_grid(codes, mask_crs, x_axis, y_axis, crs, names=names, needed=needed)
        mask = icegp.product.monthly.Regions(on_ours, names, without, filled)
    elif exclude:
        raise InputError("config key monthly.exclude_regions: regions are excluded but monthly.regions names no mask")
    out = icegp.product.monthly.dataset(
        season_ds,
        variable=variable,
        crs=crs,
        concentration=conc,
        regions=mask,
        excluded=exclude,
        window_days=window_days,
        correlation_m=correlation_m,
    )
    write_netcdf(out, nc, encoding=icegp.product.monthly.encoding(out))
    stats = icegp.product.monthly.regional(out, variable, excluded=exclude, correlation_m=correlation_m)
    with atomic_path(table, ".csv") as tmp:
        stats.to_csv(tmp, index=False, float_format="%.6g")
    season_figures.regional_series(stats, variable, png)
    with xr.open_dataset(background) as back:
        season_figures.monthly_maps(out, variable, months, vmax=vmax, background=back.load())
    log.info("%d months -> %s; %s", out.sizes["time"], nc, stats[stats["region"] == "all"].to_dict("records"))
    for key in ("icegp_cells_without_concentration", "icegp_cells_without_region"):
        if out.attrs.get(key):
            log.warning("%s: %d cells with an estimate (%s)", nc, out.attrs[key], key.removeprefix("icegp_"))
    return out
