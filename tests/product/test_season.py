"""Campaigns: hyperparameters trained once per month and reused by every day of that month."""

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from pyproj import Geod, Transformer

from icegp import config, plan
from icegp.sources import nsidc_0780
from icegp.util.atomic import read_parquet_metadata

from conftest import (
    REPO,
    TINY_CONFIG,
    assert_timing_reads_the_dags_jobs,
    compliance_failures,
    copy_workflow,
    dry_run_jobs,
    most_common_region,
    snakemake,
)

MONTHLY = {"mode": "monthly", "day": 15}


def monthly(reference: dict) -> dict:
    return config.resolve({**config.MINIMAL, "hyperparameters_from": reference})


@pytest.mark.parametrize(
    "target, ref",
    [
        ("2019-04-02", "2019-04-15"),
        ("2019-04-15", "2019-04-15"),
        ("2019-05-30", "2019-05-15"),
        ("2019-02-27", "2019-02-15"),
    ],
)
def test_each_month_uses_its_reference_day(target, ref):
    assert plan.hyperparameter_target(monthly(MONTHLY), target) == ref


def test_a_reference_day_beyond_the_month_is_its_last_day():
    cfg = monthly({"mode": "monthly", "day": 31})
    assert plan.hyperparameter_target(cfg, "2019-04-02") == "2019-04-30"
    assert plan.hyperparameter_target(cfg, "2020-02-10") == "2020-02-29"


def test_a_season_over_two_months_trains_exactly_two_days(tmp_path):
    work = copy_workflow(tmp_path)
    season = work / "season.yaml"
    season.write_text(
        yaml.safe_dump({"targets": {"start": "2019-04-29", "end": "2019-05-02"}, "hyperparameters_from": MONTHLY})
    )
    jobs = dry_run_jobs(work, "--configfile", str(TINY_CONFIG), str(season))
    shards = yaml.safe_load(TINY_CONFIG.read_text())["training"]["shards"]
    assert jobs["smooth"] == 2 and jobs["train"] == 2 * shards  # 2019-04-15 and 2019-05-15, neither a target
    assert jobs["product"] == 4 and jobs["predict"] == 4 * shards
    assert jobs["experts"] == 6  # the four targets and the two reference days


@pytest.mark.workflow
def test_a_two_month_season_end_to_end(tmp_path):
    """Four days over a month boundary, monthly hyperparameters: one season file with a time axis,
    monthly statistics, and each day predicted with its own month's hyperparameters."""
    work = copy_workflow(tmp_path)
    season = work / "season.yaml"
    season.write_text(
        yaml.safe_dump(
            {
                "targets": {"start": "2019-04-29", "end": "2019-05-02"},
                "hyperparameters_from": MONTHLY,
                "season_name": "spring",
                "monthly": {
                    "concentration": SIC_FILES,
                    "regions": REGIONS,
                    "exclude_regions": ["canadian_archipelago"],
                },
            }
        )
    )
    snakemake(work, "--configfile", str(TINY_CONFIG), str(season), timeout=1500)
    assert_timing_reads_the_dags_jobs(work, TINY_CONFIG, season)
    with xr.open_dataset(work / "results/season/spring.nc") as ds:
        assert [str(t)[:10] for t in ds["time"].values] == ["2019-04-29", "2019-04-30", "2019-05-01", "2019-05-02"]
        field = ds["sea_ice_thickness"]
        for k, day in enumerate(ds["time"].values):
            with xr.open_dataset(work / f"results/{str(day)[:10]}/product.nc") as daily:
                np.testing.assert_array_equal(field.isel(time=k).values, daily["sea_ice_thickness"].values[0])
        assert field.encoding["chunksizes"][0] == 4  # a chunk holds the whole time axis
        assert ds["land_mask"].sum() > 0
        season_calibration_is_its_days(work, ds.attrs, [str(d)[:10] for d in ds["time"].values])
    for day, ref in (("2019-04-30", "2019-04-15"), ("2019-05-01", "2019-05-15")):
        log = (work / f"logs/predict/results/{day}/0.log").read_text()
        assert f"with the hyperparameters of results/{ref}/hyperparameters.parquet" in log
    assert compliance_failures(work / "results/season/spring.nc") == {"cf:1.8": [], "acdd:1.3": []}
    monthly_file_recomputed_from_the_daily_files(work, ["2019-04-29", "2019-04-30", "2019-05-01", "2019-05-02"])
    assert compliance_failures(work / "results/season/spring/monthly.nc") == {"cf:1.8": [], "acdd:1.3": []}
    with xr.open_dataset(work / "results/season/spring.nc") as ds:  # the windows of the first and last day
        covered = (ds.attrs["time_coverage_start"], ds.attrs["time_coverage_end"], ds.attrs["time_coverage_duration"])
        assert covered == ("2019-04-28T00:00:00Z", "2019-05-04T00:00:00Z", "P6D")
    opened_many_days_at_once(work, ["2019-04-29", "2019-04-30", "2019-05-01", "2019-05-02"])
    assert (work / "results/season/spring/mean_2019-04.png").exists()
    assert (work / "results/season/spring/regions.png").exists()
    assert (work / "results/season/spring/timeseries.png").exists()
    assert (work / "results/season/spring/calibration.png").exists()
    assert not (work / "results/2019-04-15/product.nc").exists()  # a reference day is trained, not mapped


SIC_FILES = "resources/demo/sic/seaice_conc_daily_nh_{YYYYMMDD}_f17_v04r00.nc"
REGIONS = "resources/demo/regions/NSIDC-0780_SeaIceRegions_PS-N25km_v1.0.nc"


def monthly_file_recomputed_from_the_daily_files(work, days):
    """The monthly file and its regional table against the daily products, the demo's concentration
    files and region mask read with xarray alone, and cell areas from geodesic polygons. The tiny grid
    (EPSG:3411, 100 km, +-2100 km) nests 4 x 4 cells of the 25 km concentration grid in each cell."""
    products = [xr.open_dataset(work / f"results/{d}/product.nc") for d in days]
    thickness = xr.concat([p["sea_ice_thickness"] for p in products], "time").astype(float)
    x_axis, y_axis = products[0]["x"].values, products[0]["y"].values
    conc = []
    for d in days:
        with xr.open_dataset(work / SIC_FILES.format(YYYYMMDD=d.replace("-", "")), mask_and_scale=False) as f:
            stored = f["cdr_seaice_conc"].values[0].astype(float)
            inside = (np.abs(f["xgrid"].values) < 2_100_000)[None, :] & (np.abs(f["ygrid"].values) < 2_100_000)[:, None]
        fraction = np.where(stored <= 100, stored / 100, np.nan)[inside].reshape(168, 168)
        cells = xr.DataArray(fraction, dims=("y", "x")).coarsen(y=4, x=4).mean()
        conc.append(cells.assign_coords(y=y_axis, x=x_axis))
    conc = xr.concat(conc, "time").assign_coords(time=thickness["time"])
    with xr.open_dataset(work / REGIONS) as mask:  # each cell's most common region of its 4 x 4 mask cells
        region = mask["sea_ice_region"]
        names = dict(zip(region.attrs["flag_values"].tolist(), region.attrs["flag_meanings"].split()))
        inside = (np.abs(mask["x"].values) < 2_100_000)[None, :] & (np.abs(mask["y"].values) < 2_100_000)[:, None]
        blocks = region.values[inside].reshape(42, 4, 42, 4).transpose(0, 2, 1, 3).reshape(42, 42, 16)
    codes = np.array([[most_common_region(b, land=(nsidc_0780.LAND,)) for b in row] for row in blocks])
    xx, yy = np.meshgrid(x_axis, y_axis)
    lon, lat = Transformer.from_crs("EPSG:3411", "EPSG:4326", always_xy=True).transform(
        np.r_[-50e3, 50e3, 50e3, -50e3][None, None, :] + xx[..., None],
        np.r_[-50e3, -50e3, 50e3, 50e3][None, None, :] + yy[..., None],
    )
    geod = Geod(a=6378273.0, rf=298.279411123064)  # EPSG:3411's Hughes ellipsoid
    area = np.vectorize(lambda i, j: abs(geod.polygon_area_perimeter(lon[i, j], lat[i, j])[0]))(*np.indices(xx.shape))
    table = pd.read_csv(work / "results/season/spring/regions.csv")
    with xr.open_dataset(work / "results/season/spring/monthly.nc") as monthly:
        assert [str(t)[:10] for t in monthly["time"].values] == ["2019-04-01", "2019-05-01"]
        assert [str(b)[:10] for b in monthly["time_bnds"].values[:, 1]] == ["2019-05-01", "2019-06-01"]
        assert monthly["sea_ice_thickness"].attrs["cell_methods"] == "area: mean where sea_ice time: mean"
        np.testing.assert_allclose(monthly["cell_area"], area, rtol=1e-5)
        for k, (month, chosen) in enumerate((("2019-04", slice(0, 2)), ("2019-05", slice(2, 4)))):
            h = thickness.isel(time=chosen).mean("time").values
            c = conc.isel(time=chosen).mean("time").values
            np.testing.assert_allclose(monthly["sea_ice_thickness"].isel(time=k), h, rtol=1e-6)
            ours = monthly["sea_ice_area_fraction"].isel(time=k).values
            covered = np.isfinite(c)
            np.testing.assert_allclose(ours[covered], c[covered], rtol=1e-6)
            # cells the CDR's flags cover whole (its coast band) are filled only where there is an estimate
            filled = ~covered & np.isfinite(ours)
            estimated = np.isfinite(thickness.isel(time=slice(0, 4))).any("time").values
            assert filled.any() and estimated[filled].all() and ((ours[filled] >= 0) & (ours[filled] <= 1)).all()
            c = np.where(filled, ours, c)
            # cells whose mask cells are all land take a water region (the nearest) where there is an estimate
            taken = (codes < 0) & estimated
            assert taken.sum() == monthly.attrs["icegp_cells_region_filled"]
            assert not np.isin(monthly["region"].values[taken], [nsidc_0780.LAND]).any()
            codes = np.where(taken, monthly["region"].values, codes)
            valued = np.isfinite(h) & np.isfinite(c)
            rows = table[table["month"] == month].set_index("region")
            for code, name in names.items():
                cells = valued & (codes == code)
                if name == "canadian_archipelago" or not cells.any():
                    assert name not in rows.index
                    continue
                w = area[cells] * c[cells]
                assert rows.loc[name, "volume_km3"] == pytest.approx((h[cells] * w).sum() / 1e9, rel=1e-4)
                assert rows.loc[name, "mean_sea_ice_thickness"] == pytest.approx(
                    (h[cells] * w).sum() / w.sum(), rel=1e-4
                )
            kept = valued & (codes != 12)
            total = (h[kept] * area[kept] * c[kept]).sum() / 1e9
            assert rows.loc["all", "volume_km3"] == pytest.approx(total, rel=1e-4)
            assert float(monthly["total_sea_ice_volume"].isel(time=k)) == pytest.approx(total, rel=1e-4)


def season_calibration_is_its_days(work, attrs, days):
    """calibration.csv holds each day's numbers as its validation.json has them, and the season file's
    attributes pool them: the shares and CRPS weighted by the points, z's spread from its moments."""
    table = pd.read_csv(work / "results/season/spring/calibration.csv")
    for against in ("holdout", "truth"):
        found = [json.loads((work / f"results/{d}/validation.json").read_text())[against]["calibration"] for d in days]
        rows = table[table["against"] == against].set_index("day").loc[days]
        for key in ("n", "within_1std", "within_2std", "z_mean", "z_std", "crps"):
            np.testing.assert_allclose(rows[key], [f[key] for f in found], rtol=1e-5)  # the CSV's 6 digits
        n = np.array([f["n"] for f in found], float)
        mean = np.sum(n * [f["z_mean"] for f in found]) / n.sum()
        spread = np.sqrt(
            np.sum(n * (np.square([f["z_std"] for f in found]) + np.square([f["z_mean"] for f in found]))) / n.sum()
            - mean**2
        )
        assert attrs[f"icegp_calibration_{against}_z_std"] == pytest.approx(spread, rel=1e-12)
        assert attrs[f"icegp_calibration_{against}_within_1std"] == pytest.approx(
            np.sum(n * [f["within_1std"] for f in found]) / n.sum(), rel=1e-12
        )
        assert attrs[f"icegp_calibration_{against}_n"] == n.sum()


def opened_many_days_at_once(work, days):
    """xr.open_mfdataset on the daily products, with its defaults and with README's one-liner."""
    paths = sorted(str(p) for p in work.glob("results/20*/product.nc"))
    with xr.open_mfdataset(paths) as ds:  # the defaults: every variable along time
        assert [str(t)[:10] for t in ds["time"].values] == days
        assert ds["time_bnds"].shape == (len(days), 2)
    with xr.open_mfdataset(paths, data_vars="minimal", coords="minimal", compat="override") as ds:
        assert ds["sea_ice_thickness"].dims == ("time", "y", "x") and ds["lat"].dims == ("y", "x")
        assert ds["sea_ice_thickness"].dtype == np.float32 and ds["n_obs"].sum() > 0


def corrupt_day(work, day, configs):
    """Generate the demo's inputs, then truncate `day`'s IS-2 files (a transfer cut short on disk)."""
    snakemake(work, "--until", "demo_inputs", *configs)
    files = sorted((work / "resources/demo/is2" / day.replace("-", "")).glob("*.nc"))
    assert files
    for f in files:
        f.write_bytes(f.read_bytes()[:3000])
    return files


@pytest.mark.workflow
def test_a_bad_day_inside_a_season(tmp_path):
    """A corrupt day in the middle of a 3-day season whose windows are the target day alone: with
    `missing_days: error` a named error, and --keep-going keeps the good days; with `skip` every
    day's product is made and the season file says which day is missing."""
    work = copy_workflow(tmp_path)
    season = work / "season.yaml"
    season.write_text(
        yaml.safe_dump(
            {
                "targets": {"start": "2019-04-14", "end": "2019-04-16"},
                "num_days_before_after": 0,
                "sources": {"smap": {"enabled": False}},
                "season_name": "bad",
            }
        )
    )
    configs = ("--configfile", str(TINY_CONFIG), str(season))
    files = corrupt_day(work, "2019-04-15", configs)
    proc = snakemake(work, "--keep-going", *configs, check=False)
    assert proc.returncode != 0 and f"{files[0].relative_to(work)}: cannot open as netCDF" in proc.stdout + proc.stderr
    assert (work / "results/2019-04-14/product.nc").exists() and (work / "results/2019-04-16/product.nc").exists()
    assert not (work / "results/2019-04-15/product.nc").exists() and not (work / "results/season/bad.nc").exists()

    skip = work / "skip.yaml"
    skip.write_text(yaml.safe_dump({"missing_days": "skip"}))
    snakemake(work, *configs, str(skip), timeout=1500)
    report = json.loads((work / "results/2019-04-15/observations.json").read_text())
    assert report["status"] == "no_data" and report["rows_total"] == 0
    assert any("cannot open as netCDF" in s["reason"] and s["day"] == "2019-04-15" for s in report["days_skipped"])
    with xr.open_dataset(work / "results/2019-04-15/product.nc") as missing:
        assert missing.attrs["day_status"] == "missing" and missing["sea_ice_thickness"].count() == 0
    assert json.loads((work / "results/2019-04-15/validation.json").read_text())["status"].startswith("missing")
    with xr.open_dataset(work / "results/season/bad.nc") as ds:
        assert ds.attrs["days_missing"] == "2019-04-15"
        assert ds["day_status"].values.tolist() == [0, 1, 0]
        assert ds["day_status"].attrs["flag_meanings"] == "mapped missing"
        mapped = ds["sea_ice_thickness"].count(("y", "x")).values
        assert mapped[0] > 100 and mapped[1] == 0 and mapped[2] > 100
    with xr.open_dataset(work / "results/season/bad/monthly.nc") as monthly_file:  # the missing day counts for no cell
        assert int(monthly_file["n_days"].max()) == 2 and monthly_file["days_mapped"].values.tolist() == [2]
    for day in ("2019-04-14", "2019-04-16"):
        with xr.open_dataset(work / f"results/{day}/product.nc") as daily:
            assert "day_status" not in daily.attrs and daily["sea_ice_thickness"].count() > 100


def stride(days: int, every, window=7, warm=False, chunk_days=None, model="SGPR") -> dict:
    return config.resolve(
        {
            **config.MINIMAL,
            "targets": {"start": "2019-04-01", "end": f"2019-04-{days:02d}"},
            "num_days_before_after": window,
            "hyperparameters_from": {"mode": "stride", "every": every, "chunk_days": chunk_days},
            "training": {"warm_start": warm, "model_type": model},
        }
    )


def test_stride_trains_every_kth_target_and_the_last():
    cfg = stride(14, 6)
    assert plan.anchors(cfg) == ["2019-04-01", "2019-04-07", "2019-04-13", "2019-04-14"]
    assert plan.trained_days(cfg) == plan.anchors(cfg)
    assert plan.anchors(stride(14, None, window=5))[:3] == ["2019-04-01", "2019-04-06", "2019-04-11"]  # K = N
    assert plan.hyperparameter_days(cfg, "2019-04-07") == ["2019-04-07"]
    assert plan.hyperparameter_days(cfg, "2019-04-09") == ["2019-04-07", "2019-04-13"]
    assert plan.hyperparameter_days(cfg, "2019-04-14") == ["2019-04-14"]


def test_chunks_are_the_days_between_anchors_c_at_a_time():
    cfg = stride(14, 6, chunk_days=3)  # anchors 1, 7, 13, 14
    assert plan.chunks(cfg) == [["2019-04-02", "2019-04-03", "2019-04-04"], ["2019-04-05", "2019-04-06"]] + [
        ["2019-04-08", "2019-04-09", "2019-04-10"],
        ["2019-04-11", "2019-04-12"],
    ]
    assert plan.chunk_of(cfg, "2019-04-09") == ["2019-04-08", "2019-04-09", "2019-04-10"]
    assert plan.chunk_of(cfg, "2019-04-07") is None and plan.chunks(stride(14, 6)) == []
    # the middle day of 2..4 is 3, two days of the six from 1 to 7; of 5..6, 5.5
    assert plan.chunk_weight(cfg, ["2019-04-02", "2019-04-03", "2019-04-04"]) == pytest.approx(2 / 6, rel=1e-15)
    assert plan.chunk_weight(cfg, ["2019-04-05", "2019-04-06"]) == pytest.approx(4.5 / 6, rel=1e-15)


def test_chunks_are_left_out_with_a_warning_where_they_cannot_slide():
    """The season preset works on any config: where chunks are impossible the days between anchors
    are daily jobs, and the check says why."""
    gpr = stride(14, 6, chunk_days=3, model="GPR")
    assert any(re.search("hyperparameters_from.chunk_days.*SGPR.*daily jobs", w) for w in config.check(gpr))
    assert plan.chunks(gpr) == []
    day_only = stride(14, 6, chunk_days=3)
    day_only["sources"]["placeholder"]["use_prediction_day_only"] = True
    assert any(re.search("chunk_days.*placeholder.*use_prediction_day_only", w) for w in config.check(day_only))
    assert plan.chunks(day_only) == []
    assert not any("chunk_days" in w for w in config.check(stride(14, 6, chunk_days=3)))
    with pytest.raises(Exception, match="is not valid"):
        config.resolve({**config.MINIMAL, "hyperparameters_from": {"mode": "monthly", "chunk_days": 3}})


def test_warm_starts_chain_the_trained_days():
    assert plan.warm_start_day(stride(14, 6), "2019-04-07") is None  # off unless asked for
    cfg = stride(14, 6, warm=True)
    assert plan.warm_start_day(cfg, "2019-04-01") is None
    assert plan.warm_start_day(cfg, "2019-04-07") == "2019-04-01"
    assert plan.warm_start_day(cfg, "2019-04-14") == "2019-04-13"
    daily = config.resolve(
        {**config.MINIMAL, "targets": ["2019-04-01", "2019-04-02"], "training": {"warm_start": True}}
    )
    assert plan.warm_start_day(daily, "2019-04-02") == "2019-04-01"


def test_daily_plots_can_be_turned_down():
    days = {"start": "2019-04-01", "end": "2019-04-10"}
    every = lambda n: config.resolve({**config.MINIMAL, "targets": days, "plots": {"daily_every": n}})  # noqa: E731
    assert plan.plotted_targets(every(1)) == config.targets(every(1))
    assert plan.plotted_targets(every(4)) == ["2019-04-01", "2019-04-05", "2019-04-09"]
    assert plan.plotted_targets(every(0)) == []


def test_stride_mode_refuses_a_monthly_day():
    with pytest.raises(Exception, match="is not valid"):
        config.resolve({**config.MINIMAL, "hyperparameters_from": {"mode": "stride", "day": 15}})


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("profile", ["slurm", "slurm-gpu"])
def test_a_season_plans_under_the_cluster_profiles_groups(tmp_path, profile, chunked):
    """Snakemake refuses a group that a job outside it both follows and precedes: with timing_report
    in `post` a season could not be planned on SLURM (it follows the season file, which follows every
    product). A dry run with each cluster profile plans a stride season's groups, with the days
    between its anchors as daily jobs and as a chunk."""
    work = copy_workflow(tmp_path)
    shutil.copytree(REPO / "profiles", work / "profiles")
    season = work / "season.yaml"
    season.write_text(
        yaml.safe_dump(
            {
                "targets": {"start": "2019-04-14", "end": "2019-04-17"},
                "season_name": "week",
                "hyperparameters_from": {"mode": "stride", "every": 3, "chunk_days": 2 if chunked else None},
                "training": {"model_type": "SGPR"},
            }
        )
    )
    proc = snakemake(work, "-n", "--profile", f"profiles/{profile}", "--configfile", str(TINY_CONFIG), str(season))
    out = proc.stdout + proc.stderr
    assert "Group job post" in out and "Group job prep" in out and "results/season/week.nc" in out
    # the dry run's job counts (a job outside a group is printed by its message, not its rule name)
    assert bool(re.search(r"^chunk_2019-04-15_2019-04-16\s+1$", out, re.MULTILINE)) == chunked


@pytest.mark.workflow
def test_a_run_that_refuses_chunks_maps_their_days_with_the_daily_rules(tmp_path):
    """Runs share the chunk days (targets and hyperparameters_from), not always the chunks: a GPR run
    of a chunked season maps the days between its anchors as daily jobs, the main config by its chunk;
    a run whose config does not resolve costs nothing until it is asked for."""
    work = copy_workflow(tmp_path)
    season = work / "season.yaml"
    runs = {"gpr": {"config": {"training": {"model_type": "GPR"}}}, "bad": {"config": {"crs": "EPSG:6931"}}}
    season.write_text(
        yaml.safe_dump(
            {
                "targets": {"start": "2019-04-14", "end": "2019-04-17"},
                "hyperparameters_from": {"mode": "stride", "every": 3, "chunk_days": 2},
                "training": {"model_type": "SGPR"},
                "runs": runs,
            }
        )
    )
    args = ("--configfile", str(TINY_CONFIG), str(season))
    days = ["2019-04-15", "2019-04-16"]
    main = dry_run_jobs(work, *args, "--", *[plan.fill(plan.PRODUCT, root=plan.RESULTS, target=d) for d in days])
    assert main[plan.chunk_rule(plan.RESULTS, days)] == 1 and "product" not in main
    gpr = plan.root("gpr")
    jobs = dry_run_jobs(work, *args, "--", *[plan.fill(plan.PRODUCT, root=gpr, target=d) for d in days])
    assert jobs["product"] == 2 and jobs["interpolate_hyperparameters"] == 2
    assert not any(rule.startswith("chunk") for rule in jobs)


@pytest.mark.workflow
def test_a_stride_season_trains_its_anchors_and_interpolates_between_them(tmp_path):
    """Three days, anchors every 2: 04-15 and 04-17 are trained (04-17 warm-started from 04-15), 04-16
    predicts with their hyperparameters halfway between; the first anchor's product is the daily cold
    fit's, bit for bit."""
    work = copy_workflow(tmp_path)
    season = work / "stride.yaml"
    season.write_text(
        yaml.safe_dump(
            {
                "targets": {"start": "2019-04-15", "end": "2019-04-17"},
                "hyperparameters_from": {"mode": "stride", "every": 2},
                "training": {"warm_start": True},
                "plots": {"daily_every": 0},
            }
        )
    )
    args = ("--configfile", str(TINY_CONFIG), str(season))
    jobs = dry_run_jobs(work, *args)
    shards = yaml.safe_load(TINY_CONFIG.read_text())["training"]["shards"]
    assert jobs["train"] == 2 * shards and jobs["smooth"] == 2 and jobs["interpolate_hyperparameters"] == 1
    assert jobs["product"] == 3 and "plots" not in jobs
    snakemake(work, *args, timeout=1500)
    assert not (work / "results/2019-04-16/train").exists()
    log = (work / "logs/predict/results/2019-04-16/0.log").read_text()
    assert "with the hyperparameters of results/2019-04-16/hyperparameters_interpolated.parquet" in log
    middle = pd.read_parquet(work / "results/2019-04-16/hyperparameters_interpolated.parquet")
    experts = pd.read_parquet(work / "results/2019-04-16/experts.parquet")
    assert sorted(middle["expert_id"]) == sorted(experts["expert_id"]) and (middle["status"] == "interpolated").all()
    assert read_parquet_metadata(work / "results/2019-04-16/hyperparameters_interpolated.parquet")["weight"] == 0.5
    anchors = [pd.read_parquet(work / f"results/{d}/hyperparameters.parquet") for d in ("2019-04-15", "2019-04-17")]
    for c in ("lengthscale_x", "kernel_variance"):  # between its anchors' values wherever they share a place
        a, b = (anchor[["x", "y", c]].rename(columns={c: k}) for anchor, k in zip(anchors, "ab"))
        both = middle[["x", "y", c]].merge(a, on=["x", "y"]).merge(b, on=["x", "y"])
        lo, hi = np.minimum(both["a"], both["b"]), np.maximum(both["a"], both["b"])
        assert len(both) > 5 and ((both[c] >= lo * (1 - 1e-9)) & (both[c] <= hi * (1 + 1e-9))).all()
    assert (
        "warm starts from results/2019-04-15/hyperparameters.parquet"
        in (work / "logs/train/results/2019-04-17/0.log").read_text()
    )
    warm = pd.concat(pd.read_parquet(p) for p in (work / "results/2019-04-17/train").glob("*.parquet"))
    assert set(warm.loc[warm["status"] != "too_few_obs", "start"]) == {"warm"}
    product = work / "results/2019-04-15/product.nc"
    with xr.open_dataset(product) as ds:
        season_anchor = ds["sea_ice_thickness"].load()
    made = product.stat().st_mtime_ns
    snakemake(work, "results/2019-04-15/product.nc", "--configfile", str(TINY_CONFIG))  # the daily cold fit
    assert product.stat().st_mtime_ns != made  # re-made: its training settings differ (no warm_start)
    with xr.open_dataset(work / "results/2019-04-15/product.nc") as daily:
        np.testing.assert_array_equal(daily["sea_ice_thickness"].values, season_anchor.values)
