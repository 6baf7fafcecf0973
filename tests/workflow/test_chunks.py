"""Chunks (`hyperparameters_from.chunk_days`): the days between two anchors mapped by one job from slid
statistics, in a real snakemake run of the tiny config as a five-day stride season."""

import json
import signal
import time

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from icegp import config, plan
from icegp.config import rerun
from icegp.experts import prediction, selection, smoothing
from icegp.experts.sliding import SlidingExperts
from icegp.gp import sparse
from icegp.gp.engines import make_engine
from icegp.gp.hyper import COLUMNS, NV, Hyper, Space
from icegp.gp.problem import prior_mean
from icegp.jobs import chunks, load
from icegp.jobs.product import product_dataset, product_grid
from icegp.util import timestamps
from icegp.util.atomic import read_parquet_metadata
from icegp.util.time_window import TimeWindow

from conftest import (
    TINY_CONFIG,
    assert_timing_reads_the_dags_jobs,
    compliance_failures,
    copy_workflow,
    dry_run_jobs,
    job_processes,
    snakemake,
    snakemake_background,
)

pytestmark = pytest.mark.workflow
ANCHORS = ["2019-04-14", "2019-04-18"]
CHUNK = ["2019-04-15", "2019-04-16", "2019-04-17"]
SEASON = {
    "targets": {"start": ANCHORS[0], "end": ANCHORS[1]},
    "season_name": "chunked",
    "hyperparameters_from": {"mode": "stride", "every": 4, "chunk_days": 3},
    # SGPR with fewer inducing points than most experts have observations: most slide their statistics
    "training": {"model_type": "SGPR", "inducing_points": 20},
    "plots": {"daily_every": 0},
}


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("chunks"))
    overlay = work / "season.yaml"
    overlay.write_text(yaml.safe_dump(SEASON))
    args = ("--configfile", str(TINY_CONFIG), str(overlay))
    jobs = dry_run_jobs(work, *args)
    snakemake(work, *args)
    return work, args, jobs


def chunk_file(pattern: str) -> str:
    return plan.fill(pattern, root=plan.RESULTS, first=CHUNK[0], last=CHUNK[-1])


def resolved(work):
    return config.resolve(config.load(work / "config" / "config.yaml", TINY_CONFIG, work / "season.yaml"))


def test_one_job_maps_the_days_between_the_anchors(season):
    work, args, jobs = season
    assert jobs[plan.chunk_rule(plan.RESULTS, CHUNK)] == 1
    assert jobs["train"] == 2 * 2 and jobs["product"] == 2 and jobs["validate"] == 2  # the anchors' only
    assert "interpolate_hyperparameters" not in jobs and jobs["observations"] == 2
    assert dry_run_jobs(work, *args) == {}  # nothing left to do: every file the chunk lists it wrote
    stages = pd.read_csv(
        work / plan.fill(plan.CHUNK_STAGES, root=plan.RESULTS, first=CHUNK[0], last=CHUNK[-1]), sep="\t"
    )
    assert sorted(stages["day"].unique()) == CHUNK and (stages["seconds"] >= 0).all()
    assert_timing_reads_the_dags_jobs(work, TINY_CONFIG, work / "season.yaml")


def test_changes_rerun_only_what_depends_on_them(season):
    """A plot setting re-runs no chunk; smoothing re-runs the chunk (its hyperparameters) and no
    training; a validation setting re-runs the chunk, whose days validate in the same job."""
    work, args, _ = season

    def after(name, change):
        path = work / f"{name}.yaml"
        path.write_text(yaml.safe_dump(change))
        return dry_run_jobs(work, *args, str(path))

    chunk = plan.chunk_rule(plan.RESULTS, CHUNK)
    assert chunk not in after("vmax", {"plots": {"vmax": {"sea_ice_thickness": 3.0}}})
    smoothing_changed = after("smooth", {"smoothing": {"length_scale": 400000}})
    assert smoothing_changed[chunk] == 1 and smoothing_changed["smooth"] == 2 and "train" not in smoothing_changed
    validation_changed = after("holdout", {"validation": {"holdout_fraction": 0.3}})
    assert validation_changed[chunk] == 1 and not {"train", "smooth", "product"} & set(validation_changed)


def test_a_chunk_day_has_the_files_a_daily_day_has(season, tmp_path):
    """The window report is the observations job's; the hyperparameters are the anchors' interpolated
    to the chunk's middle day, one set for every day of it; the product is CF and ACDD compliant
    and maps the day; the validation scores it against the truth, the other product and hold-outs."""
    work, _, _ = season
    cfg = resolved(work)
    weight = plan.chunk_weight(cfg, CHUNK)
    assert weight == pytest.approx(0.5, abs=0)  # 14 .. 18 and the middle of 15 .. 17
    anchors = [pd.read_parquet(work / f"results/{d}/hyperparameters.parquet") for d in ANCHORS]
    every_day = []
    for day in CHUNK:
        files = [
            str(work / plan.fill(plan.OBS_DAY, source=s, day=d))
            for s in ("is2", "smap")
            for d in TimeWindow.of(cfg, day, cfg["sources"][s]).days
        ]
        expected = load.observations(
            day_files=files,
            target=day,
            crs=cfg["crs"],
            observations=cfg["observations"],
            preferred=["is2"],
            dropped=["smap"],
            missing_days=cfg["missing_days"],
            table=str(tmp_path / f"{day}.parquet"),
            report=str(tmp_path / f"{day}.json"),
        )
        assert json.loads((work / f"results/{day}/observations.json").read_text()) == json.loads(
            json.dumps(expected, default=str)
        )
        path = work / f"results/{day}/hyperparameters_interpolated.parquet"
        hyp = pd.read_parquet(path)
        assert read_parquet_metadata(path)["weight"] == weight
        again = smoothing.interpolate_in_time(
            *anchors,
            hyp,
            weight=weight,
            space=Space.from_config(cfg["training"]),
            length_scale=cfg["smoothing"]["length_scale"],
        )
        np.testing.assert_array_equal(hyp[list(COLUMNS)].to_numpy(), again[list(COLUMNS)].to_numpy())
        every_day.append(hyp.set_index(["x", "y"])[list(COLUMNS)])
        product = work / f"results/{day}/product.nc"
        assert compliance_failures(product) == {"cf:1.8": [], "acdd:1.3": []}
        with xr.open_dataset(product) as ds:
            assert ds["time"].values[0] == np.datetime64(day)
            assert int(ds["sea_ice_thickness"].count()) > 100
        valid = json.loads((work / f"results/{day}/validation.json").read_text())
        assert valid["truth"]["n"] > 100 and valid["compare"]["other"]["n"] > 100
        assert valid["holdout"]["n_held_out"] >= 1 and np.isfinite(valid["holdout"]["rmse"])
    shared = every_day[0].index.intersection(every_day[1].index)
    assert len(shared) > 0
    np.testing.assert_array_equal(every_day[0].loc[shared].to_numpy(), every_day[1].loc[shared].to_numpy())


def test_a_chunk_day_is_the_daily_path_at_the_chunks_hyperparameters_and_inducing_points(season):
    """A chunk day's product against one made by the daily path's code (predict_shard, the sparse
    engine's posterior on the day's window from scratch, the product's blend) with the chunk's
    hyperparameters and inducing points. The slid sums differ from the sums from scratch by rounding,
    so a cell may differ by one float32 step (2**-23 relative) where a value sits on a rounding edge,
    and by the rounding itself where a value is near zero: measured up to 4.9e-12 m here (Zen),
    1.8e-12 (Haswell), 2.3e-13 (Prescott), one BLAS thread; atol 1e-10 m is 20x the largest."""
    work, _, _ = season
    cfg = resolved(work)
    day, n_days, radius = CHUNK[1], cfg["num_days_before_after"], cfg["training"]["training_radius"]
    union = sorted({d for t in CHUNK for d in TimeWindow.of(cfg, t, cfg["sources"]["is2"]).days})
    files = [str(work / plan.fill(plan.OBS_DAY, source=s, day=d)) for s in ("is2", "smap") for d in union]
    data = chunks.DayData(files, crs=cfg["crs"], observations=cfg["observations"], preferred=["is2"], dropped=["smap"])
    engine = make_engine(cfg["training"])
    numbers = [int(timestamps.day_to_t(d)) for d in CHUNK]
    sliding = SlidingExperts(
        engine,
        data.union(),
        data.rows,
        first=numbers[0],
        days=len(numbers),
        training_radius=radius,
        num_days_before_after=n_days,
    )
    window = TimeWindow(day, n_days)
    merged, _ = data.window(window, allow_missing=False)
    local = selection.LocalData(merged)
    slid = 0

    def from_scratch(expert, hyp_row, Xstar):
        nonlocal slid
        hyper = Hyper.from_row(hyp_row)
        problem = local.problem(expert, radius, window.half_width)
        _, state = sliding._expert(expert, hyper)
        if state.Z is None or problem.n <= engine.m:  # the exact path, as the chunk takes it
            return engine.predict(problem, hyper, Xstar)
        slid += 1
        m = prior_mean(problem.y, engine.mean_kind)
        bound = sparse.SGPRBound(engine.kernel, (problem.X - state.origin) / sliding.scale, problem.y - m, state.Z)
        f_mean, f_var = bound.predict(state.theta, (Xstar - state.origin) / sliding.scale)
        return {"f_mean": f_mean + m, "f_var": f_var, "y_var": f_var + state.theta[NV]}

    experts = selection.choose_experts(
        merged,
        pd.read_parquet(work / "results/grid/expert_candidates.parquet"),
        window=window,
        min_obs=cfg["experts"]["min_obs"],
        radius=radius,
        n_shards=cfg["training"]["shards"],
    )
    locations = pd.read_parquet(work / "results/grid/prediction_locations.parquet")
    table, _ = prediction.predict_shard(
        merged,
        experts,
        pd.read_parquet(work / f"results/{day}/hyperparameters_interpolated.parquet"),
        locations,
        engine,
        training_radius=radius,
        half_width=window.half_width,
        radius=cfg["prediction"]["radius"],
        predictor=from_scratch,
    )
    assert slid > len(experts) / 2  # most experts slide their statistics
    x_axis, y_axis, land = product_grid(cfg["prediction"], locations, str(work / "results/grid/land_mask.nc"))
    ds = product_dataset(
        table,
        merged,
        x_axis=x_axis,
        y_axis=y_axis,
        land=land,
        target=day,
        prediction=cfg["prediction"],
        variable=cfg["variable"],
        crs=cfg["crs"],
        provenance=rerun.provenance(cfg),
    )
    with xr.open_dataset(work / f"results/{day}/product.nc") as chunked:
        for name in ("sea_ice_thickness", "sea_ice_thickness_std"):
            want = ds[name].values.astype(np.float32)
            got = chunked[name].values
            assert np.array_equal(np.isnan(got), np.isnan(want)) and np.isfinite(got).sum() > 100
            np.testing.assert_allclose(got, want, rtol=2.0**-23, atol=1e-10)


def test_a_terminated_chunk_keeps_its_finished_days_and_resumes_to_the_same_days(season):
    """SIGTERM (a time limit) once the chunk's first day is finished: the retry keeps that day, maps
    the others, and every day's product equals the uninterrupted run's bit for bit."""
    work, args, _ = season
    before = {day: xr.open_dataset(work / f"results/{day}/product.nc").load() for day in CHUNK}
    (work / f"results/{CHUNK[-1]}/product.nc").unlink()  # the chunk's job runs again, from nothing
    finished = work / f"results/{CHUNK[0]}/.chunk/key.json"
    proc = snakemake_background(work, *args, cores=1)
    deadline = pd.Timestamp.now() + pd.Timedelta(minutes=5)
    while not finished.exists() and proc.poll() is None and pd.Timestamp.now() < deadline:
        time.sleep(0.05)
    assert finished.exists() and proc.poll() is None, proc.stdout.read()[-3000:] if proc.stdout else ""
    jobs = job_processes(proc, "chunk")
    assert jobs, "the chunk finished its first day and is still running"
    for job in jobs:
        job.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) != 0
    assert finished.exists() and not (work / f"results/{CHUNK[0]}/product.nc").exists()
    snakemake(work, *args)
    log = work / plan.log("chunk", plan.fill(plan.CHUNK_JOB, root=plan.RESULTS, first=CHUNK[0], last=CHUNK[-1]))
    assert f"{CHUNK[0]}: finished by an earlier try" in log.read_text()
    for day in CHUNK:
        with xr.open_dataset(work / f"results/{day}/product.nc") as after:
            for name in ("sea_ice_thickness", "sea_ice_thickness_std"):
                np.testing.assert_array_equal(after[name].values, before[day][name].values)
        assert not (work / f"results/{day}/.chunk").exists()
