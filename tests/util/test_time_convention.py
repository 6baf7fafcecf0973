"""One time convention: exact times inside, whole-day stamps at the centre of their day, timed expert files
honoured exactly."""

import numpy as np
import pandas as pd
import pytest

from icegp import config, plan
from icegp.experts import selection
from icegp.sources import loading, registry
from icegp.util import timestamps
from icegp.util.checks import InputError
from icegp.util.time_window import TimeWindow

CRS = "EPSG:6931"
TARGET = "2020-03-05"
DAY = timestamps.day_to_t(TARGET)  # GPSat's day number of the target


def day_stamped_table(path, days=(-1, 0, 1), column="t"):
    """A GPSat-style table: one row per day at the same place, `t` the day number (or a date)."""
    t = DAY + np.array(days, float)
    df = pd.DataFrame({"x": 0.0, "y": 0.0, "obs": np.arange(len(t), dtype=float)})
    df[column] = t if column == "t" else timestamps.t_to_datetime(t).strftime("%Y-%m-%d")
    df.to_parquet(path, index=False)
    return str(path)


@pytest.mark.parametrize("column", ["t", "date"])
def test_day_stamps_give_gpsats_relative_times(tmp_path, column):
    source = config.source(
        "gpsat",
        {"type": "table", "time_stamps": "day", "path": day_stamped_table(tmp_path / "obs.parquet", column=column)},
    )
    obs = pd.concat([loading.load_day(source, d, CRS) for d in TimeWindow(TARGET, 1).days], ignore_index=True)
    cand = pd.DataFrame({"x": [0.0], "y": [0.0], "lon": [0.0], "lat": [90.0]})
    expert = selection.choose_experts(
        obs, cand, window=TimeWindow(TARGET, 1), min_obs=1, radius=100_000.0, n_shards=1
    ).iloc[0]
    np.testing.assert_array_equal(np.sort(obs["t"] - expert["t"]), [-1.0, 0.0, 1.0])  # GPSat: day - expert day
    assert expert["n_obs"] == 3


def test_exact_stamps_at_midnight_are_taken_as_given_with_a_hint(tmp_path, caplog):
    source = config.source("gpsat", {"type": "table", "path": day_stamped_table(tmp_path / "obs.parquet")})
    df = loading.load_day(source, TARGET, CRS)
    assert df["t"].tolist() == [DAY]
    assert "time_stamps: day" in caplog.text


def test_a_timed_locations_file_is_honoured_exactly(tmp_path):
    path = tmp_path / "experts.csv"
    pd.DataFrame({"x": [0.0, 1e5, 2e5], "y": 0.0, "t": [DAY + 0.25, DAY + 0.75, DAY + 1.25]}).to_csv(path)
    exact = selection.on_target_day(selection.read_locations(str(path), CRS, "exact"), TARGET)
    assert exact["t"].tolist() == [DAY + 0.25, DAY + 0.75]  # the next day's row belongs to the next target
    day = selection.on_target_day(selection.read_locations(str(path), CRS, "day"), TARGET)
    assert day["t"].tolist() == [DAY + 0.5, DAY + 0.5]
    untimed = selection.on_target_day(selection.read_locations(str(path), CRS), TARGET)
    assert untimed["t"].tolist() == [DAY + 0.5] * 3
    with pytest.raises(InputError, match="2020-03-09: experts.locations_file has no location on that day"):
        selection.on_target_day(selection.read_locations(str(path), CRS, "exact"), "2020-03-09")


def test_expert_times_follow_the_sources_unless_set():
    table = {"type": "table", "path": "x", "time_stamps": "day"}
    is2 = {"type": "is2sitdat4", "path": "x"}

    def experts_time_stamps(sources, **experts):
        return plan.expert_time_stamps(config.resolve({"targets": [TARGET], "sources": sources, "experts": experts}))

    assert experts_time_stamps({"a": table}) == "day"
    assert experts_time_stamps({"a": table, "b": is2}) == "exact"
    assert experts_time_stamps({"a": table}, time_stamps="exact") == "exact"
    with pytest.raises(ValueError, match=r"sources.b.time_stamps: a is2sitdat4 source's time stamps are always"):
        registry.source_time_stamps(config.source("b", {**is2, "time_stamps": "day"}))


def test_along_track_dates_as_whole_days(tmp_path):
    path = tmp_path / "track.csv"
    pd.DataFrame({"datetime": [TARGET, TARGET], "lon": [0.0, 1.0], "lat": [85.0, 85.0], "obs": [1.0, 2.0]}).to_csv(
        path, index=False
    )
    source = config.source("csv", {"type": "along_track_csv", "path": str(path), "time_stamps": "day"})
    assert loading.load_day(source, TARGET, CRS)["t"].tolist() == [DAY + 0.5, DAY + 0.5]
