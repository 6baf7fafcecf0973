"""Fault injection: malformed files for every reader, odd time stamps, duplicated sections, and
impossible configs. Each fault must end in an error that names the file, day, column or key (or in
a counted, reported repair), never in silently wrong or missing data. The cases are listed in
docs/design.md ("Fault injection"); kills and concurrent runs are in test_workflow.py."""

import json
import os
import re
import signal
import time

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from icegp import config, merging
from icegp.jobs import load
from icegp.sources import bremen, loading, tables
from icegp.util import timestamps
from icegp.util.atomic import write_parquet
from icegp.util.checks import InputError

from conftest import TINY_CONFIG, copy_workflow, rewrite, snakemake, snakemake_background

DAY = "2019-04-15"
T0 = timestamps.day_to_t(DAY)


@pytest.fixture
def smap_file(demo_days):
    return demo_days[1][DAY]["smap"]


# --- readers -------------------------------------------------------------------------------------


def test_truncated_classic_netcdf_is_an_error_not_zeros(tmp_path, smap_file):
    """netCDF-C reads a half-written netCDF-3 file without error and fills its tail with zeros."""
    with xr.open_dataset(smap_file) as ds:
        classic = tmp_path / "20190415_north_mix_sit_v300.nc"
        ds.load().to_netcdf(classic, format="NETCDF3_64BIT")
    whole = bremen.read_file(str(classic))
    assert len(whole) and (whole["obs"] > 0).any()
    data = classic.read_bytes()
    cut = tmp_path / "cut.nc"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(InputError, match=f"{cut}: truncated or corrupt classic netCDF"):
        bremen.read_file(str(cut))


def test_bremen_grid_that_does_not_match_its_data_names_the_file(tmp_path, smap_file):
    out = rewrite(
        smap_file,
        tmp_path / "badgrid.nc",
        lambda ds: ds.drop_vars("x").assign_coords(x=("x2", np.arange(ds.sizes["x"] + 3) * 12_500.0)),
    )
    with pytest.raises(InputError, match=f"{out}: .*expected"):
        bremen.read_file(out)


def along_track(tmp_path, times, name="track.csv"):
    path = tmp_path / name
    pd.DataFrame({"datetime": times, "lon": np.linspace(0, 10, len(times)), "lat": 85.0, "obs": 1.5}).to_csv(
        path, index=False
    )
    return config.source("csv", {"type": "along_track_csv", "path": str(path)})


def test_epoch_seconds_without_units_are_an_error_naming_the_column(tmp_path):
    secs = (T0 + np.array([0.2, 0.4])) * 86400.0
    source = along_track(tmp_path, secs)
    with pytest.raises(InputError, match=r"column 'datetime' .*numbers \(first: 1555"):
        loading.load_day(source, DAY, "EPSG:3411")
    source["columns"] = {"value": "obs", "time_units": "seconds since 1970-01-01"}
    np.testing.assert_allclose(loading.load_day(source, DAY, "EPSG:3411")["t"], T0 + np.array([0.2, 0.4]))


def test_iso_times_with_z_or_an_offset_are_read_as_utc(tmp_path):
    source = along_track(tmp_path, ["2019-04-15T01:07:30Z", "2019-04-15T03:07:30+02:00", "2019-04-15 01:07:30"])
    t = loading.load_day(source, DAY, "EPSG:3411")["t"].to_numpy()
    np.testing.assert_allclose((t - T0) * 86400.0, [4050.0, 4050.0, 4050.0], atol=1e-3)


def test_unreadable_times_name_the_column_and_value(tmp_path):
    with pytest.raises(InputError, match=r"track.csv: column 'datetime' is not readable as times .*yesterday"):
        loading.load_day(along_track(tmp_path, ["2019-04-15T01:00:00", "yesterday"]), DAY, "EPSG:3411")


def test_a_day_file_whose_rows_lie_on_other_days_is_an_error(tmp_path):
    source = along_track(tmp_path, ["2019-03-01T01:00:00Z", "2019-03-01T02:00:00Z", "2019-04-15T02:00:00Z"])
    with pytest.raises(InputError, match=r"day 2019-04-15: 2 of 3 rows of .*track.csv lie outside that day"):
        loading.load_day(source, DAY, "EPSG:3411")


def test_a_table_without_the_day_is_a_missing_day(tmp_path):
    path = tmp_path / "obs.parquet"
    pd.DataFrame({"x": [0.0], "y": [0.0], "t": [T0 - 3], "obs": [1.0]}).to_parquet(path)
    with pytest.raises(loading.DayMissing, match="day 2019-04-15: no rows of"):
        loading.load_day(config.source("tab", {"type": "table", "path": str(path)}), DAY, "EPSG:3411")


def test_exact_duplicate_sections_are_dropped_and_counted(tmp_path):
    rng = np.random.default_rng(0)
    day = tables.finish(
        pd.DataFrame(
            {
                "lon": rng.uniform(0, 90, 100),
                "lat": rng.uniform(75, 85, 100),
                "t": T0 + rng.uniform(0, 1, 100),
                "obs": rng.uniform(0, 3, 100),
                "obs_unc": np.nan,
            }
        ),
        "is2",
        "EPSG:3411",
    )
    near = day.iloc[:5].assign(x=day["x"].iloc[:5] + 1.0)  # 1 m away: a near-duplicate, kept
    repeated = pd.concat([day, day.iloc[:50], near], ignore_index=True)
    path = tmp_path / "is2.parquet"
    write_parquet(repeated, str(path), {"source": "is2", "day": DAY, "status": "ok"})
    df, report = merging.build_window([path], DAY, "EPSG:3411")
    assert report["duplicates_dropped"] == {"is2": 50}
    assert len(df) == 105 and report["rows_total"] == 105


# --- impossible configs: refused when the workflow is parsed -------------------------------------

IMPOSSIBLE = {
    "inverted bounds": (
        {"training": {"bounds": {"lengthscales": {"low": [5e5, 5e5, 1], "high": [1e4, 1e4, 9]}}}},
        "training.bounds: lengthscale_x low",
    ),
    "init outside bounds": ({"training": {"init": {"kernel_variance": 50.0}}}, "training.init: kernel_variance"),
    "prediction extent min > max": (
        {"prediction": {"extent": [1e6, -1e6, -1e6, 1e6]}},
        r"prediction.extent \(x\): min 1000000 is not below max -1000000",
    ),
    "expert extent min > max": ({"experts": {"extent": [-1e6, 1e6, 1e6, -1e6]}}, r"experts.extent \(y\)"),
    "targets end before start": (
        {"targets": {"start": "2019-04-16", "end": "2019-04-14"}},
        "targets: end 2019-04-14 is before start",
    ),
    "impossible date": ({"targets": ["2019-02-30"]}, "2019-02-30"),
    "time_stamps a source cannot have": ({"sources": {"is2": {"time_stamps": "day"}}}, r"sources.is2.time_stamps"),
    "a sources list (the old layout)": (
        {"sources": [{"name": "is2", "type": "is2sitdat4", "path": "x"}]},
        "sources are a mapping from name to settings",
    ),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("faults"))


@pytest.mark.parametrize("case", IMPOSSIBLE)
def test_impossible_configs_are_refused_before_any_job(workdir, case):
    overlay, message = IMPOSSIBLE[case]
    path = workdir / "overlay.yaml"
    path.write_text(yaml.safe_dump(overlay))
    proc = snakemake(workdir, "-n", "--configfile", str(TINY_CONFIG), str(path), check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Building DAG" not in out
    assert re.search(message, out), out[-2000:]


def test_unquoted_yaml_dates_are_dates(workdir):
    path = workdir / "dates.yaml"
    path.write_text("targets: {start: 2019-04-14, end: 2019-04-15}\nhyperparameters_from: null\n")
    proc = snakemake(workdir, "-n", "--quiet", "rules", "--configfile", str(TINY_CONFIG), str(path))
    counts = {
        p[0]: int(p[1]) for p in (line.split() for line in proc.stdout.splitlines()) if len(p) == 2 and p[1].isdigit()
    }
    assert counts["experts"] == 2  # one per target day


def test_observation_report_is_json(tmp_path):
    """The duplicate count reaches observations.json through the job function that writes it."""
    day = tables.finish(
        pd.DataFrame(
            {"lon": [10.0, 10.0], "lat": [80.0, 80.0], "t": [T0 + 0.1] * 2, "obs": [1.0, 1.0], "obs_unc": np.nan}
        ),
        "is2",
        "EPSG:3411",
    )
    path = tmp_path / "day.parquet"
    write_parquet(day, str(path), {"source": "is2", "day": DAY, "status": "ok"})
    load.observations(
        day_files=[path],
        target=DAY,
        crs="EPSG:3411",
        observations=config.section("observations"),
        preferred=(),
        dropped=(),
        missing_days="error",
        table=str(tmp_path / "obs.parquet"),
        report=str(tmp_path / "obs.json"),
    )
    assert json.loads((tmp_path / "obs.json").read_text())["duplicates_dropped"] == {"is2": 1}


# --- kills at each stage and a concurrent run ------------------------------------------------------


def start(work, *args):
    """A run as a user starts one after a kill: with profiles/default's --rerun-incomplete (the tests
    run without the workflow profile), else the files a killed job left are refused."""
    return snakemake_background(work, "--configfile", str(TINY_CONFIG), "--rerun-incomplete", *args)


def wait_for(work, pattern, proc, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None and not list(work.glob(pattern)):
        time.sleep(0.1)


@pytest.mark.workflow
def test_kills_at_each_stage_resume_to_the_same_product(tmp_path):
    """kill -9 of the whole workflow while it loads, trains and predicts; a second snakemake meanwhile
    is refused; after --unlock the run finishes with the product of an uninterrupted run."""
    clean = copy_workflow(tmp_path / "clean")
    snakemake(clean, configfile=TINY_CONFIG)
    work = copy_workflow(tmp_path / "killed")
    target = "results/2019-04-15"
    for k, stage in enumerate(
        ["results/obs/*/*.parquet", f"{target}/train/.checkpoint/*.parquet", f"{target}/predict/*.parquet"]
    ):
        proc = start(work)
        wait_for(work, stage, proc)
        if k == 0:
            second = start(work)
            refused = second.wait(timeout=120) != 0
            said = second.stdout.read()  # the lock, or the running jobs' outputs marked incomplete
            assert refused and ("cannot be locked" in said or "Incomplete files" in said), said[-2000:]
        if proc.poll() is not None:  # it got there and past before the kill: it must have finished well
            assert proc.returncode == 0, proc.stdout.read()[-3000:]
        else:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        snakemake(work, "--unlock", configfile=TINY_CONFIG, check=False)
    snakemake(work, "--rerun-incomplete", configfile=TINY_CONFIG)
    with xr.open_dataset(clean / f"{target}/product.nc") as a, xr.open_dataset(work / f"{target}/product.nc") as b:
        for name in ("sea_ice_thickness", "sea_ice_thickness_std"):
            np.testing.assert_array_equal(a[name].values, b[name].values)


def test_checkpoint_saves_are_spaced_by_their_cost_and_keep_the_last_saved_rows(tmp_path, monkeypatch):
    """A save is skipped until SPACING times the last save's duration has passed (a fake clock: each
    write takes 1 s), so a kill loses at most that long of work and never a row it saved."""
    from icegp.jobs import gp

    clock = iter([0.0, 1.0, 5.0, 21.0, 22.0])  # start/end of save 1, a skipped call, start/end of save 2
    monkeypatch.setattr(gp.time, "monotonic", lambda: next(clock))
    checkpoint = gp.Checkpoint(str(tmp_path / "0.parquet"), "key", ["expert_id"])
    checkpoint.save([{"expert_id": 1}])
    checkpoint.save([{"expert_id": 1}, {"expert_id": 2}])  # 4 s after a 1 s save: skipped
    assert checkpoint.read()["expert_id"].tolist() == [1]
    checkpoint.save([{"expert_id": 1}, {"expert_id": 2}, {"expert_id": 3}])  # 20 s after: saved
    assert checkpoint.read()["expert_id"].tolist() == [1, 2, 3]
    assert gp.Checkpoint(str(tmp_path / "0.parquet"), "other", ["expert_id"]).read().empty
