"""Campaigns: hyperparameters trained once per month and reused by every day of that month."""
import pytest
import yaml

from conftest import TINY_CONFIG, copy_workflow, dry_run_jobs
from icegp import plan

MONTHLY = {"mode": "monthly", "day": 15}


@pytest.mark.parametrize("target, ref", [("2019-04-02", "2019-04-15"), ("2019-04-15", "2019-04-15"),
                                         ("2019-05-30", "2019-05-15"), ("2019-02-27", "2019-02-15")])
def test_each_month_uses_its_reference_day(target, ref):
    assert plan.hyperparameter_target({"hyperparameters_from": MONTHLY}, target) == ref


def test_a_reference_day_beyond_the_month_is_its_last_day():
    cfg = {"hyperparameters_from": {"mode": "monthly", "day": 31}}
    assert plan.hyperparameter_target(cfg, "2019-04-02") == "2019-04-30"
    assert plan.hyperparameter_target(cfg, "2020-02-10") == "2020-02-29"


def test_a_season_over_two_months_trains_exactly_two_days(tmp_path):
    work = copy_workflow(tmp_path)
    season = work / "season.yaml"
    season.write_text(yaml.safe_dump({"targets": {"start": "2019-04-29", "end": "2019-05-02"},
                                      "hyperparameters_from": MONTHLY}))
    jobs = dry_run_jobs(work, "--configfile", str(TINY_CONFIG), str(season))
    shards = yaml.safe_load(TINY_CONFIG.read_text())["training"]["shards"]
    assert jobs["smooth"] == 2 and jobs["train"] == 2 * shards  # 2019-04-15 and 2019-05-15, neither a target
    assert jobs["product"] == 4 and jobs["predict"] == 4 * shards
    assert jobs["experts"] == 6  # the four targets and the two reference days
