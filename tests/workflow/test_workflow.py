"""Real snakemake runs of the whole DAG on the tiny config: outputs, CF product, reruns, resume."""

import datetime
import importlib.metadata
import json
import os
import signal
import time

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

import icegp
from icegp import contracts
from icegp.util.atomic import read_parquet_metadata

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
TARGET = "2019-04-15"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("tiny"))
    snakemake(work, configfile=TINY_CONFIG)
    return work


def overlay(work, name, data):
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_dry_run_plans_one_job_per_source_and_day(tmp_path):
    work = copy_workflow(tmp_path)
    jobs = dry_run_jobs(work, configfile=TINY_CONFIG)
    assert jobs["demo_inputs"] == 3 and jobs["load_day"] == 6  # 3 days of IS-2 and of SMOS/SMAP
    assert jobs["train"] == 2 and jobs["predict"] == 2 and jobs["observations"] == 1


def test_product_passes_the_compliance_checker(tiny_run):
    """IOOS compliance-checker 6.1, CF-1.8 and ACDD-1.3: no CF error, no highly recommended ACDD gap."""
    assert compliance_failures(tiny_run / f"results/{TARGET}/product.nc") == {"cf:1.8": [], "acdd:1.3": []}


def test_product_is_cf_and_accurate(tiny_run):
    with netCDF4.Dataset(tiny_run / f"results/{TARGET}/product.nc") as nc:  # CF: no missing coordinates
        assert not {"_FillValue"} & {a for axis in ("time", "y", "x") for a in nc[axis].ncattrs()}
    with xr.open_dataset(tiny_run / f"results/{TARGET}/product.nc") as ds:
        assert ds.attrs["Conventions"] == "CF-1.8, ACDD-1.3"
        assert ds.attrs["icegp_version"] == importlib.metadata.version("icegp") == icegp.__version__
        assert f"icegp {icegp.__version__}" in ds.attrs["source"]
        made_by = json.loads(ds.attrs["icegp_config"])  # what can change this product, not other targets
        assert made_by["crs"] == "EPSG:3411" and "targets" not in made_by and "runs" not in made_by
        assert pd.Timestamp(ds["time"].values[0]).date().isoformat() == TARGET
        var = ds["sea_ice_thickness"]
        assert var.dims == ("time", "y", "x")
        assert var.attrs["standard_name"] == "sea_ice_thickness" and var.attrs["units"] == "m"
        assert var.attrs["grid_mapping"] == "crs"
        assert ds["crs"].attrs["latitude_of_projection_origin"] == 90.0  # CF's polar_stereographic needs it
        std = ds["sea_ice_thickness_std"]
        assert "standard deviation" in std.attrs["long_name"] and std.attrs["units"] == "m"
        assert (std.values[np.isfinite(std.values)] >= 0).all()
        assert ds["crs"].attrs["grid_mapping_name"] == "polar_stereographic"
        assert ds["lat"].attrs["units"] == "degrees_north" and ds["lat"].dims == ("y", "x")
        assert ds["time"].values[0] == np.datetime64(TARGET)
        assert int(ds["n_experts"].max()) >= 2
        assert np.isfinite(ds["sea_ice_thickness_input"].values).sum() > 50
        predicted = np.isfinite(var.values).sum()
        assert predicted > 200
    report = json.loads((tiny_run / f"results/{TARGET}/validation.json").read_text())
    assert report["truth"]["rmse"] < report["truth"]["reference_std"] / 3
    assert report["holdout"]["n"] > 0 and report["holdout"]["rmse"] < 0.5
    # the demo's other product is the truth 0.1 m thicker with 0.1 m of noise: our bias against it is
    # about -0.1 m (the product is unbiased against the truth to a few cm), its correlation high
    other = report["compare"]["other"]
    assert other["n"] > 200 and other["bias"] == pytest.approx(-0.1, abs=0.03) and other["correlation"] > 0.9
    assert abs(report["truth"]["bias"]) < 0.03
    assert (tiny_run / f"results/{TARGET}/plots/compare_other.png").stat().st_size > 10_000


def test_every_rule_has_benchmark_log_and_timing_row(tiny_run):
    assert_timing_reads_the_dags_jobs(tiny_run, TINY_CONFIG)
    summary = pd.read_csv(tiny_run / "results/timing_report.tsv", sep="\t")
    for rule in (
        "demo_inputs",
        "load_day",
        "observations",
        "grids",
        "experts",
        "train",
        "smooth",
        "predict",
        "product",
        "validate",
        "plots",
    ):
        assert rule in set(summary["rule"]), rule
        assert any((tiny_run / "logs" / rule).glob("**/*.log")) or (tiny_run / "logs" / f"{rule}.log").exists()
    train = pd.concat(pd.read_parquet(p) for p in (tiny_run / f"results/{TARGET}/train").glob("*.parquet"))
    assert set(train["status"]) <= {"ok", "not_converged", "too_few_obs", "cholesky_failed"}
    assert (train["lengthscale_x"] > 1000).all()  # metres, never scaled units
    fitted = train["status"].isin(["ok", "not_converged"])  # fitted, whatever L-BFGS-B's stop reason
    assert fitted.mean() > 0.8 and np.isfinite(train.loc[fitted, "loss"]).all()


def test_intermediate_files_keep_their_column_contracts(tiny_run):
    results = tiny_run / "results"
    files = {
        "OBS": results / "obs/is2/2019-04-15.parquet",
        "WINDOW": results / f"{TARGET}/observations.parquet",
        "EXPERTS": results / f"{TARGET}/experts.parquet",
        "TRAIN": results / f"{TARGET}/train/0.parquet",
        "SMOOTHED": results / f"{TARGET}/hyperparameters.parquet",
        "PREDICTIONS": results / f"{TARGET}/predict/0.parquet",
    }
    for name, path in files.items():
        assert pd.read_parquet(path).columns.tolist() == getattr(contracts, name), path
    assert pd.read_csv(results / "timing_report.tsv", sep="\t").columns.tolist() == contracts.TIMING


def test_changes_rerun_only_what_depends_on_them(tiny_run):
    assert dry_run_jobs(tiny_run, configfile=TINY_CONFIG) == {}
    smooth = overlay(tiny_run, "smooth", {"smoothing": {"length_scale": 400000}})
    jobs = dry_run_jobs(tiny_run, "--configfile", str(TINY_CONFIG), str(smooth))
    assert set(jobs) == {"smooth", "predict", "product", "validate", "plots", "timing_report", "all"}
    execution = overlay(tiny_run, "execution", {"training": {"mem_mb": 3000, "threads": 2, "device": "auto"}})
    assert dry_run_jobs(tiny_run, "--configfile", str(TINY_CONFIG), str(execution)) == {}
    model = overlay(tiny_run, "model", {"training": {"max_iter": 150}})
    jobs = dry_run_jobs(tiny_run, "--configfile", str(TINY_CONFIG), str(model))
    assert jobs["train"] == 2 and "experts" not in jobs
    assert not {"demo_inputs", "load_day", "observations"} & set(jobs)


def test_editing_a_key_reruns_only_the_rules_that_read_it(tiny_run):
    """A rule's params are the keys it reads, not their whole section: a prediction radius re-runs the
    prediction and what follows it (no grid, no training), the blending only the product and what
    follows, min_obs the experts and what follows (no grid)."""
    args = ("--configfile", str(TINY_CONFIG))
    after_predict = {"product", "validate", "plots", "timing_report", "all"}
    radius = overlay(tiny_run, "radius", {"prediction": {"radius": 400000}})
    assert set(dry_run_jobs(tiny_run, *args, str(radius))) == {"predict", *after_predict}
    blend = overlay(tiny_run, "blend", {"prediction": {"blend_length_scale": 200000}})
    assert set(dry_run_jobs(tiny_run, *args, str(blend))) == after_predict
    min_obs = overlay(tiny_run, "min_obs", {"experts": {"min_obs": 12}})
    assert set(dry_run_jobs(tiny_run, *args, str(min_obs))) == {"experts", "train", "smooth", "predict", *after_predict}


def reversed_keys(value):
    """The same config with every mapping's keys in reverse order."""
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    return value


def test_params_compare_on_meaning_and_shards_rerun_what_the_docs_say(tiny_run):
    cfg = reversed_keys(yaml.safe_load(TINY_CONFIG.read_text()))
    cfg["targets"] = [datetime.date.fromisoformat(TARGET)]  # written unquoted: YAML makes it a date
    reordered = tiny_run / "reordered.yaml"
    reordered.write_text(yaml.safe_dump(cfg, sort_keys=False))
    assert dry_run_jobs(tiny_run, configfile=reordered) == {}
    defaults = overlay(
        tiny_run,
        "defaults",
        {
            "training": {"kernel": "Matern32", "restarts": []},
            "sources": {"is2": {"enabled": True, "time_stamps": "exact"}},
        },
    )
    assert dry_run_jobs(tiny_run, "--configfile", str(TINY_CONFIG), str(defaults)) == {}  # defaults written out
    more = overlay(tiny_run, "more", {"targets": [TARGET, "2019-04-16"], "validation": {"seed": 3}})
    jobs = dry_run_jobs(tiny_run, "--configfile", str(TINY_CONFIG), str(more))
    assert jobs["product"] == 1 and jobs["validate"] == 2  # the new day's product; no other product re-runs
    with xr.open_dataset(tiny_run / f"results/{TARGET}/product.nc") as ds:
        made_by = json.loads(ds.attrs["icegp_config"])
    assert made_by["training"]["kernel"] == "Matern32" and "threads" not in made_by["training"]
    shards = overlay(tiny_run, "shards", {"training": {"shards": 3}})
    jobs = dry_run_jobs(tiny_run, "--configfile", str(TINY_CONFIG), str(shards))
    assert set(jobs) == {
        "experts",
        "train",
        "smooth",
        "predict",
        "product",
        "validate",
        "plots",
        "timing_report",
        "all",
    }


def test_an_impossible_config_stops_before_deleting_anything(tiny_run):
    product = tiny_run / f"results/{TARGET}/product.nc"
    before = product.stat().st_mtime_ns
    bad = overlay(tiny_run, "bad", {"training": {"bounds": {"kernel_variance": {"low": 5.0, "high": 0.1}}}})
    proc = snakemake(tiny_run, "--configfile", str(TINY_CONFIG), str(bad), check=False)
    assert proc.returncode != 0 and "training.bounds: kernel_variance low 5" in proc.stdout + proc.stderr
    assert product.stat().st_mtime_ns == before


def test_killed_train_job_resumes_from_its_checkpoint(tiny_run):
    slow = overlay(tiny_run, "slow", {"training": {"engine": "reference"}})
    target = f"results/{TARGET}/train/0.parquet"
    checkpoint = tiny_run / f"results/{TARGET}/train/.checkpoint/0.parquet"
    proc = snakemake_background(tiny_run, target, "--configfile", str(TINY_CONFIG), str(slow), cores=1)
    deadline = time.time() + 240
    while time.time() < deadline:
        if checkpoint.exists() and len(pd.read_parquet(checkpoint)) >= 2:
            break
        time.sleep(0.2)
    done_before = len(pd.read_parquet(checkpoint))
    os.killpg(proc.pid, signal.SIGKILL)  # the node dies: snakemake and its job, with no clean-up
    proc.wait()
    snakemake(tiny_run, "--unlock", check=False)
    snakemake(tiny_run, target, "--rerun-incomplete", "--configfile", str(TINY_CONFIG), str(slow))
    log = (tiny_run / f"logs/train/results/{TARGET}/0.log").read_text()
    experts = pd.read_parquet(tiny_run / f"results/{TARGET}/experts.parquet")
    n_shard = int((experts["shard"] == 0).sum())
    assert f"{done_before} from checkpoint" in log or f"{done_before + 1} from checkpoint" in log
    fitted = log.count(" status=")
    assert fitted == n_shard - int(log.split(" from checkpoint")[0].split()[-1])
    table = pd.read_parquet(tiny_run / target)
    assert sorted(table["expert_id"]) == sorted(experts.loc[experts["shard"] == 0, "expert_id"])
    assert not checkpoint.exists()


def terminate_when(proc, rule, checkpoint_glob, tiny_run, timeout=300):
    """SIGTERM the `rule` job (only it, as SLURM does at a time limit) once its checkpoint holds a
    finished expert; the experts in the checkpoint then, and the checkpoint's path."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for path in tiny_run.glob(checkpoint_glob):
            if path.name.startswith("."):  # a save in progress: atomic_path's temporary name
                continue
            try:
                done = set(pd.read_parquet(path)["expert_id"])
            except (OSError, ValueError):  # between the checkpoint's rename and its read
                continue
            jobs = job_processes(proc, rule)
            if done and jobs:
                for job in jobs:
                    job.send_signal(signal.SIGTERM)
                return done, path
        time.sleep(0.05)
    raise AssertionError(f"no {rule} checkpoint under {checkpoint_glob} within {timeout} s")


def test_terminated_train_and_predict_jobs_keep_their_experts_and_resume(tiny_run):
    """SLURM's time limit or preemption: SIGTERM to the job. The job says so in its log, exits non-zero
    and keeps every finished expert in its checkpoint; the next attempt resumes from it."""
    slow = overlay(tiny_run, "slow", {"training": {"engine": "reference"}})
    target = f"results/{TARGET}/predict/0.parquet"
    args = (target, "--configfile", str(TINY_CONFIG), str(slow))
    proc = snakemake_background(tiny_run, *args, cores=1)
    trained, train_checkpoint = terminate_when(proc, "train", f"results/{TARGET}/train/.checkpoint/*.parquet", tiny_run)
    assert proc.wait(timeout=120) != 0
    shard = train_checkpoint.stem
    train_log = tiny_run / f"logs/train/results/{TARGET}/{shard}.log"
    assert "terminated by SIGTERM" in train_log.read_text()
    assert trained <= set(pd.read_parquet(train_checkpoint)["expert_id"])  # nothing finished was lost
    proc = snakemake_background(tiny_run, *args, cores=1)
    predicted, predict_checkpoint = terminate_when(
        proc, "predict", f"results/{TARGET}/predict/.checkpoint/0.parquet", tiny_run
    )
    assert proc.wait(timeout=120) != 0
    resumed = int(train_log.read_text().split(" from checkpoint")[0].split()[-1])
    assert resumed >= len(trained)
    predict_log = tiny_run / f"logs/predict/results/{TARGET}/0.log"
    assert "terminated by SIGTERM" in predict_log.read_text()
    assert predicted <= set(pd.read_parquet(predict_checkpoint)["expert_id"])
    snakemake(tiny_run, *args)
    kept = int(predict_log.read_text().split(" experts from checkpoint")[0].split()[-1])
    assert kept >= len(predicted)
    table = pd.read_parquet(tiny_run / target)
    assert not table.duplicated(["expert_id", "x", "y"]).any()
    status = read_parquet_metadata(tiny_run / target)["status"]
    experts = pd.read_parquet(tiny_run / f"results/{TARGET}/experts.parquet")
    assert sum(status.values()) == int((experts["shard"] == 0).sum())
    assert table["expert_id"].nunique() == status["predicted"] and not predict_checkpoint.exists()


def test_config_errors_name_the_key(tmp_path):
    work = copy_workflow(tmp_path)
    bad_type = overlay(work, "bad_type", {"training": {"max_iter": "lots"}})
    proc = snakemake(work, "-n", "--configfile", str(TINY_CONFIG), str(bad_type), check=False)
    assert proc.returncode != 0 and "max_iter" in proc.stderr + proc.stdout
    unknown = overlay(work, "unknown", {"training": {"maxiter": 10}})
    proc = snakemake(work, "-n", "--configfile", str(TINY_CONFIG), str(unknown), check=False)
    assert proc.returncode != 0 and "maxiter" in proc.stderr + proc.stdout
    never = overlay(work, "never", {"hyperparameters_from": "2019-03-01"})
    proc = snakemake(work, "-n", "--configfile", str(TINY_CONFIG), str(never), check=False)
    assert proc.returncode != 0 and "2019-03-01" in proc.stderr + proc.stdout
    assert "results/2019-03-01/hyperparameters.parquet" in proc.stderr + proc.stdout


def test_hyperparameters_from_reuses_by_location_and_predicts_each_day(tmp_path):
    """The old pipeline matched reused hyperparameters on time too, found none, and re-emitted the
    reference day's map under the other day's name. Here the other day must be its own map."""
    work = copy_workflow(tmp_path)
    reuse = overlay(work, "reuse", {"targets": ["2019-04-15", "2019-04-18"], "hyperparameters_from": "2019-04-15"})
    args = ("--configfile", str(TINY_CONFIG), str(reuse))
    jobs = dry_run_jobs(work, *args)
    assert jobs["train"] == 2 and jobs["predict"] == 4 and jobs["product"] == 2
    assert jobs["demo_inputs"] == 6 and jobs["load_day"] == 12  # days 14-16 and 17-19, each once per source
    snakemake(work, *args)
    with (
        xr.open_dataset(work / "results/2019-04-15/product.nc") as a,
        xr.open_dataset(work / "results/2019-04-18/product.nc") as b,
    ):
        assert b["time"].values[0] == np.datetime64("2019-04-18")
        va, vb = a["sea_ice_thickness"].values[0], b["sea_ice_thickness"].values[0]
        both = np.isfinite(va) & np.isfinite(vb)
        assert both.sum() > 100 and np.abs(va[both] - vb[both]).max() > 0.05
    with xr.open_dataset(work / "resources/demo/truth/20190418.nc") as truth:
        t = truth["sea_ice_thickness"].values
    ok = both & np.isfinite(t)
    assert np.sqrt(np.mean((vb[ok] - t[ok]) ** 2)) < np.sqrt(np.mean((va[ok] - t[ok]) ** 2))
    assert not (work / "results/2019-04-18/train").exists()


def test_html_report_includes_plots_and_timing(tiny_run):
    snakemake(tiny_run, "--report", "report.html", "--configfile", str(TINY_CONFIG))
    html = (tiny_run / "report.html").read_text(errors="ignore")
    for name in (
        "product.png",
        "std.png",
        "difference.png",
        "hyperparameters.png",
        "timing_report.tsv",
        "timing_report.png",
    ):
        assert name in html, name


def test_smap_over_http_with_a_missing_day(tmp_path, demo_days):
    """fetch_gridded -> load_day through a real HTTP server; a day the server lacks stops the run, or
    is skipped and reported when missing_days: skip."""
    import functools
    import http.server
    import shutil
    import threading

    _, files = demo_days
    served = tmp_path / "served"
    served.mkdir()
    for day in ("2019-04-14", "2019-04-15"):  # the server has no 2019-04-16
        shutil.copy(files[day]["smap"], served)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        (tmp_path / "work").mkdir()
        work = copy_workflow(tmp_path / "work")
        cfg = yaml.safe_load(TINY_CONFIG.read_text())
        cfg["sources"]["smap"] = {
            "type": "bremen_smos_smap",
            "cache": "resources/smap_cache",
            "url": f"http://127.0.0.1:{httpd.server_address[1]}/{{YYYYMMDD}}_north_mix_sit_v300.nc",
            "coarsen": 8,
            "backoff_s": 0.01,
        }
        strict = overlay(work, "http", cfg)
        target = f"results/{TARGET}/observations.parquet"
        proc = snakemake(work, target, "--configfile", str(strict), check=False)
        assert proc.returncode != 0 and "2019-04-16" in proc.stdout + proc.stderr and "404" in proc.stdout + proc.stderr
        failed = (work / "logs/fetch_gridded/smap/2019-04-16.log").read_text()
        assert "CRITICAL" in failed and "job failed: DownloadError" in failed and "Traceback" in failed
        cached = list((work / "resources/smap_cache").iterdir())  # whatever ran before the stop: whole files only
        assert all((served / f.name).read_bytes() == f.read_bytes() for f in cached)
        lenient = overlay(work, "lenient", {**cfg, "missing_days": "skip"})
        snakemake(work, target, "--configfile", str(lenient))
    finally:
        httpd.shutdown()
        httpd.server_close()
    report = json.loads((work / f"results/{TARGET}/observations.json").read_text())
    assert [(d["source"], d["day"]) for d in report["days_skipped"]] == [("smap", "2019-04-16")]
    assert report["rows"]["smap"] > 0 and report["rows"]["is2"] > 0


def test_runs_share_the_dag_and_the_loads_they_agree_on(tiny_run):
    """Two runs of the tiny config in one DAG: one with another kernel (every load shared), one with
    another IS-2 subsample (its own IS-2 loads); the trade-off tabulates both, the main run is kept."""
    runs = {
        "m52": {"config": {"training": {"kernel": "Matern52"}}},
        "sub": {"config": {"sources": {"is2": {"N_subsample": 4}}}},
    }
    args = ("--configfile", str(TINY_CONFIG), str(overlay(tiny_run, "runs", {"runs": runs})), "--", "tradeoff")
    before = dry_run_jobs(tiny_run, configfile=TINY_CONFIG)  # what the main run has left to do
    jobs = dry_run_jobs(tiny_run, *args)
    assert jobs["load_day"] == 3 and jobs["train"] == 4  # the sub run's own IS-2 days; SMOS/SMAP shared
    snakemake(tiny_run, *args)
    table = pd.read_csv(tiny_run / "results/tradeoff/tradeoff.tsv", sep="\t").set_index("run")
    assert sorted(table.index) == ["m52", "sub"] and (table["train_s"] > 0).all()
    assert (table["job_s"] > table["train_s"]).all() and table["rmse_vs_truth_m"].notna().all()
    main = pd.read_parquet(tiny_run / f"results/{TARGET}/hyperparameters.parquet")
    m52 = pd.read_parquet(tiny_run / f"results/runs/m52/{TARGET}/hyperparameters.parquet")
    assert not np.allclose(m52["lengthscale_x_raw"], main["lengthscale_x_raw"], equal_nan=True)
    with xr.open_dataset(tiny_run / f"results/runs/m52/{TARGET}/product.nc") as ds:
        assert json.loads(ds.attrs["icegp_config"])["training"]["kernel"] == "Matern52"
    assert dry_run_jobs(tiny_run, configfile=TINY_CONFIG) == before  # the runs leave the main run as it was
    bad = overlay(tiny_run, "bad_run", {"runs": {"bad": {"config": {"crs": "EPSG:6931"}}}})
    proc = snakemake(tiny_run, "-n", "--configfile", str(TINY_CONFIG), str(bad), "--", "tradeoff", check=False)
    assert proc.returncode != 0 and "runs.bad: a run cannot change crs" in proc.stdout + proc.stderr
    assert dry_run_jobs(tiny_run, "--configfile", str(TINY_CONFIG), str(bad)) == before  # unused runs cost nothing
