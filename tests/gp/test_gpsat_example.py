"""A GPSat user's own inputs (table, expert and prediction location files, EASE2) through the workflow."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from icegp.util import timestamps

from conftest import REPO, copy_workflow, dry_run_jobs, snakemake
from gpsat_oracle import local_expert

EXAMPLE = REPO / "config" / "examples" / "gpsat_inputs.yaml"


def test_example_reads_exactly_three_paths():
    cfg = yaml.safe_load(EXAMPLE.read_text())
    paths = [cfg["sources"]["gpsat"]["path"], cfg["experts"]["locations_file"], cfg["prediction"]["locations_file"]]
    assert all((REPO / p).exists() for p in paths)
    assert [n for n, s in cfg["sources"].items() if s.get("enabled", True)] == ["gpsat"]  # the demo's are off
    assert cfg["training"]["prior_mean"] == "zero" and cfg["smoothing"]["enabled"] is False


def test_editing_a_locations_file_reruns_the_grids(tmp_path):
    """The location files are the grids' inputs: edited (Snakemake looks at their contents, not only
    their times), the grids and all that follows them are made again."""
    work = copy_workflow(tmp_path)
    args = ("--configfile", str(work / "config/examples/gpsat_inputs.yaml"), "--", "results/grid/land_mask.nc")
    snakemake(work, *args)
    assert dry_run_jobs(work, *args) == {}
    for key in ("experts", "prediction"):
        path = work / yaml.safe_load(EXAMPLE.read_text())[key]["locations_file"]
        pd.read_csv(path).to_csv(path, index=False, float_format="%.4f")  # the same places, written anew
        assert dry_run_jobs(work, *args) == {"grids": 1}
        snakemake(work, *args)


@pytest.mark.workflow
def test_gpsat_inputs_run_end_to_end(tmp_path):
    work = copy_workflow(tmp_path)
    snakemake(work, "--configfile", str(work / "config/examples/gpsat_inputs.yaml"))
    hyp = pd.read_parquet(work / "results/2020-03-05/hyperparameters.parquet")
    experts = pd.read_csv(work / "tests/data/gpsat/experts.csv")
    assert len(hyp) == len(experts)
    assert (hyp["mean"] == 0).all()  # prior_mean: zero, as GPSat
    assert (hyp[["lengthscale_x", "lengthscale_y"]] <= 600_000).all().all() and (hyp["lengthscale_t"] <= 9).all()
    np.testing.assert_array_equal(hyp["lengthscale_x"], hyp["lengthscale_x_raw"])  # smoothing off
    preds = pd.read_csv(work / "tests/data/gpsat/predictions.csv")
    with xr.open_dataset(work / "results/2020-03-05/product.nc") as ds:
        assert ds.sizes["x"] == preds["x"].nunique() and ds.sizes["y"] == preds["y"].nunique()
        assert ds["crs"].attrs["grid_mapping_name"] == "lambert_azimuthal_equal_area"
        field = ds["sea_ice_thickness"].values[0]
        obs = pd.read_parquet(work / "tests/data/gpsat/obs.parquet")
        assert np.isfinite(field).sum() > 0.5 * field.size
        assert abs(np.nanmean(field) - obs["obs"].mean()) < 0.3
    assert gpsat_difference(work) < 1e-6


def gpsat_difference(work) -> float:
    """Largest |our per-expert prediction - GPSat's|, GPSat computed independently with our hyperparameters."""
    cfg = yaml.safe_load(EXAMPLE.read_text())
    table = pd.read_parquet(work / cfg["sources"]["gpsat"]["path"])
    locs = pd.read_csv(work / cfg["prediction"]["locations_file"])[["x", "y"]]
    hyp = pd.read_parquet(work / "results/2020-03-05/hyperparameters.parquet")
    ours = pd.concat([pd.read_parquet(f) for f in (work / "results/2020-03-05/predict").glob("*.parquet")])
    worst = 0.0
    for _, h in hyp.iterrows():
        _, f_mean, rows = local_expert(
            table,
            np.array([h["x"], h["y"], timestamps.day_to_t("2020-03-05")]),
            h,
            training_radius=cfg["training"]["training_radius"],
            num_days=cfg["num_days_before_after"],
            coords_scale=cfg["training"]["coords_scale"],
            pred_xy=locs.to_numpy(float),
            pred_radius=cfg["prediction"]["radius"],
        )
        mine = ours[ours["expert_id"] == h["expert_id"]]
        both = mine.merge(locs.iloc[rows].assign(gpsat=f_mean), on=["x", "y"], how="outer", validate="one_to_one")
        assert len(both) == len(mine) == len(rows), f"expert {h['expert_id']}: other prediction locations"
        worst = max(worst, float(np.abs(both["f_mean"] - both["gpsat"]).max()))
    return worst
