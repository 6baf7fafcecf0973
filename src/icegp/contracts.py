"""The column contracts of the intermediate files: what each job writes and the next one reads.

One list per file, in the order the columns are written. A job selects its output's columns with
these lists, and the workflow tests hold the files the demo writes to them. Paths as icegp.plan
lays them out: `{root}` is `results`, or `results/runs/{name}` for a run of `runs`.
"""

from __future__ import annotations

from icegp.gp.hyper import COLUMNS as HYPERPARAMETERS

#: results/obs/{source}/{day}.parquet: one row per observation, x, y in the run's crs (metres), t in
#: days since 1970 (UTC), obs in the product variable's units, obs_unc NaN where a source has none.
OBS = ["x", "y", "t", "obs", "source", "lon", "lat", "obs_unc"]
#: {root}/{target}/observations.parquet: OBS plus n, the observations averaged into a row (1 unbinned).
WINDOW = [*OBS, "n"]
#: {root}/{target}/experts.parquet: the experts kept for the target, each with its shard.
EXPERTS = ["expert_id", "x", "y", "t", "lon", "lat", "n_obs", "shard"]
#: {root}/{target}/train/{shard}.parquet: one fit per expert (hyperparameters NaN when it failed).
TRAIN = [
    "expert_id",
    "x",
    "y",
    "t",
    "lon",
    "lat",
    *HYPERPARAMETERS,
    "mean",
    "n_obs",
    "n_iter",
    "converged",
    "loss",
    "seconds",
    "status",
    "stop",
    "at_bound",
    "start",
    "gain",
]
#: {root}/{target}/hyperparameters.parquet: TRAIN with the smoothed values, and the trained ones as <p>_raw.
SMOOTHED = [*TRAIN, *(f"{c}_raw" for c in HYPERPARAMETERS)]
#: {root}/{target}/hyperparameters_interpolated.parquet (stride mode): per expert of the target, the
#: hyperparameters interpolated in time between its two anchors.
INTERPOLATED = ["expert_id", "x", "y", "t", "lon", "lat", *HYPERPARAMETERS, "status"]
#: {root}/{target}/predict/{shard}.parquet: every expert's predictions at the locations within its radius.
PREDICTIONS = ["expert_id", "expert_x", "expert_y", "x", "y", "f_mean", "f_var", "y_var"]
#: results/timing_report.tsv: one row per rule.
TIMING = [
    "stage",
    "rule",
    "jobs",
    "wall_s_sum",
    "wall_s_median",
    "wall_s_max",
    "cpu_s_sum",
    "max_rss_mb",
    "percent_wall",
]
