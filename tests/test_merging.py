"""The observations window: merge of day files, IS-2 preference, binning, missing-day reporting."""

import numpy as np
import pandas as pd
import pytest

from icegp import contracts, merging
from icegp.util.atomic import write_parquet
from icegp.util.checks import InputError

CRS = "EPSG:3411"


def day_file(tmp_path, name, day, df, status=None):
    path = tmp_path / f"{name}_{day}.parquet"
    meta = {"source": name, "day": day, "status": "ok", "rows": len(df)} if status is None else status
    write_parquet(df, path, meta)
    return path


def obs(source, x, y, t, v):
    n = len(x)
    return pd.DataFrame(
        {
            "x": np.asarray(x, float),
            "y": np.asarray(y, float),
            "t": np.asarray(t, float),
            "obs": np.asarray(v, float),
            "source": source,
            "lon": 0.0,
            "lat": 80.0,
            "obs_unc": np.full(n, np.nan),
        }
    )


def test_merge_prefers_is2_and_reports(tmp_path):
    is2 = obs("is2", [0, 50_000], [0, 0], [18000.3, 18000.4], [2.0, 2.2])
    smap = obs("smap", [5_000, 200_000, 0], [0, 0, 0], [18000.5, 18000.5, 18001.5], [0.3, 0.2, 0.4])
    files = [day_file(tmp_path, "is2", "d0", is2), day_file(tmp_path, "smap", "d0", smap)]
    df, report = merging.build_window(files, "t", CRS, preferred=["is2"], dropped=["smap"], pref_radius=10_000)
    # the SMAP point 5 km from a same-day IS-2 point goes; the far one and the next-day one stay
    assert report["is2_pref_dropped"] == 1
    assert sorted(df.loc[df.source == "smap", "obs"]) == [0.2, 0.4]
    assert report["rows"] == {"is2": 2, "smap": 2} and report["rows_loaded"] == {"is2": 2, "smap": 3}
    assert (np.diff(df["t"]) >= 0).all()


def test_binning_to_cell_day_means():
    df = obs(
        "is2",
        [1_000, 2_000, 60_000, 1_000],
        [1_000, 3_000, 1_000, 1_000],
        [18000.1, 18000.2, 18000.3, 18001.2],
        [1.0, 2.0, 5.0, 7.0],
    )
    binned = merging.bin_cell_day(df, 50_000, CRS)
    first = binned[(binned.x == 25_000) & (np.floor(binned.t) == 18000)]
    assert len(binned) == 3 and first["obs"].item() == 1.5 and first["n"].item() == 2
    assert np.isclose(first["t"].item(), 18000.15)


def test_missing_days_stop_or_are_reported(tmp_path):
    good = day_file(tmp_path, "is2", "2019-04-15", obs("is2", [0], [0], [18001.2], [1.0]))
    gone = day_file(
        tmp_path,
        "is2",
        "2019-04-16",
        obs("is2", [], [], [], []),
        {"source": "is2", "day": "2019-04-16", "status": "missing", "reason": "no files"},
    )
    with pytest.raises(InputError, match="2019-04-16"):
        merging.build_window([good, gone], "2019-04-15", CRS)
    df, report = merging.build_window([good, gone], "2019-04-15", CRS, allow_missing=True)
    assert len(df) == 1 and report["days_skipped"][0]["day"] == "2019-04-16"
    empty, report = merging.build_window([gone], "2019-04-15", CRS, allow_missing=True)
    assert empty.empty and list(empty.columns) == contracts.WINDOW  # a missing target day, reported
    assert report["status"] == "no_data" and report["days_skipped"][0]["reason"] == "no files"
    nothing = day_file(tmp_path, "is2", "2019-04-17", obs("is2", [], [], [], []))
    with pytest.raises(InputError, match="no observations"):
        merging.build_window([nothing], "2019-04-17", CRS)
