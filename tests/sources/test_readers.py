"""Each reader on files written by the demo generator, and every kind of bad input."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from icegp import config, contracts
from icegp.demo import synthetic
from icegp.jobs import load
from icegp.sources import bremen, is2sitdat4, loading, tables
from icegp.sources.files import day_files
from icegp.util import timestamps
from icegp.util.checks import InputError

from conftest import rewrite


def is2_source(root):
    return config.source("is2", {"type": "is2sitdat4", "path": str(root), "beams": ["bnum1", "bnum3"]})


def test_is2_reader_round_trips_the_generator(demo_days):
    root, files = demo_days
    ocean = synthetic.OceanMask.build()
    expected = synthetic.is2_day("2019-04-15", 7, synthetic.SCALES["small"], ["bnum1"], ocean)["bnum1"]
    df = is2sitdat4.read_file(files["2019-04-15"]["is2"][0], "ice_thickness")
    np.testing.assert_allclose(df["obs"], expected["ice_thickness"])
    np.testing.assert_allclose(df["lat"], expected["latitude"])
    # GPS seconds (with leap seconds) back to UTC days: exact to well under a second
    assert np.max(np.abs(df["t"] - expected["t"])) * 86400 < 1e-3
    assert df["t"].between(timestamps.day_to_t("2019-04-15"), timestamps.day_to_t("2019-04-16")).all()
    assert (np.diff(np.unique(np.round(df["t"] * 86400))) > 0).all()  # time of day kept, not truncated


def test_a_load_job_reads_the_files_the_dag_gave_it_not_what_it_finds(demo_days, tmp_path):
    root, files = demo_days
    source, day = is2_source(root), "2019-04-15"
    on_disk = day_files(source, day)
    assert len(on_disk) == 2  # both beams
    given = [f for f in on_disk if "_bnum1_" in f]
    load.load_day(
        source=source, day=day, crs="EPSG:3411", inputs=given, output=str(tmp_path / "a.parquet"), missing_days="error"
    )
    both = loading.load_day(source, day, "EPSG:3411")
    one = pd.read_parquet(tmp_path / "a.parquet")
    assert 0 < len(one) < len(both)
    pd.testing.assert_frame_equal(one, loading.load_day({**source, "beams": ["bnum1"]}, day, "EPSG:3411"))
    with pytest.raises(InputError, match="no IS2SITDAT4 files for beams"):  # given none: a missing day
        load.load_day(
            source=source, day=day, crs="EPSG:3411", inputs=[], output=str(tmp_path / "b.parquet"), missing_days="error"
        )


def test_is2_day_loader_uses_beams_subsample_and_variable(demo_days):
    root, _ = demo_days
    full = loading.load_day(is2_source(root), "2019-04-15", "EPSG:3411")
    one_beam = loading.load_day({**is2_source(root), "beams": ["bnum1"]}, "2019-04-15", "EPSG:3411")
    sub = loading.load_day({**is2_source(root), "N_subsample": 2}, "2019-04-15", "EPSG:3411")
    fb = loading.load_day({**is2_source(root), "variable": "freeboard"}, "2019-04-15", "EPSG:3411")
    assert list(full.columns) == contracts.OBS
    assert 0 < len(one_beam) < len(full)
    assert abs(len(sub) - len(full) / 2) <= 2
    assert fb["obs"].mean() < 0.5 < full["obs"].mean()
    assert (full["source"] == "is2").all()
    assert np.abs(full["y"]).max() < 5e6 and np.isfinite(full[["x", "y"]]).all().all()


def test_bremen_reader_converts_cm_and_falls_back(demo_days):
    _, files = demo_days
    path = files["2019-04-15"]["smap"]
    df = bremen.read_file(path, (0.0, 0.5))
    with xr.open_dataset(path) as ds:
        combined = ds["combined_thickness"].values / 100.0
        smap = ds["smap_thickness"].values / 100.0
    fallback = ~np.isfinite(combined) & np.isfinite(smap) & (smap >= 0) & (smap <= 0.5)
    assert fallback.sum() > 0
    assert len(df) == int((np.isfinite(combined) & (combined >= 0) & (combined <= 0.5)).sum() + fallback.sum())
    assert df["obs"].between(0.0, 0.5).all()
    assert len(bremen.read_file(path, (0.0, 0.5), coarsen=4)) < len(df) / 10


def test_bremen_day_is_stamped_at_noon(demo_days):
    root, _ = demo_days
    src = config.source(
        "smap", {"type": "bremen_smos_smap", "path": str(root / "smap" / "{YYYYMMDD}_north_mix_sit_v300.nc")}
    )
    df = loading.load_day(src, "2019-04-15", "EPSG:3411")
    assert np.allclose(df["t"], timestamps.day_to_t("2019-04-15") + 0.5)


def test_along_track_csv_and_xyt_table(tmp_path, demo_days):
    root, _ = demo_days
    is2 = loading.load_day(is2_source(root), "2019-04-15", "EPSG:3411")
    csv = tmp_path / "c2_20190415.csv"
    pd.DataFrame(
        {"datetime": timestamps.t_to_datetime(is2["t"]), "lon": is2["lon"], "lat": is2["lat"], "z": is2["obs"]}
    ).to_csv(csv, index=False)
    src = config.source(
        "c2", {"type": "along_track_csv", "path": str(tmp_path / "c2_{YYYYMMDD}.csv"), "columns": {"value": "z"}}
    )
    df = loading.load_day(src, "2019-04-15", "EPSG:3411")
    np.testing.assert_allclose(df["obs"], is2["obs"])
    np.testing.assert_allclose(df["x"], is2["x"], atol=1e-3)
    table = tmp_path / "obs.parquet"
    is2[["x", "y", "t", "obs"]].to_parquet(table)
    tab = config.source("tab", {"type": "table", "path": str(table)})
    df2 = loading.load_day(tab, "2019-04-15", "EPSG:3411")
    np.testing.assert_allclose(df2["lat"], is2["lat"], atol=1e-9)
    with pytest.raises(loading.DayMissing, match="day 2019-04-17: no rows of .*obs.parquet fall on that day"):
        loading.load_day(tab, "2019-04-17", "EPSG:3411")


@pytest.fixture
def is2_file(demo_days):
    return demo_days[1]["2019-04-15"]["is2"][0]


def test_corrupt_and_truncated_netcdf_name_the_file(tmp_path, is2_file):
    garbage = tmp_path / "IS2SITDAT4_01_20190415_garbage_bnum1_sm.nc"
    garbage.write_bytes(b"\x89HDF\r\n not really" * 50)
    with pytest.raises(InputError, match=str(garbage)):
        is2sitdat4.read_file(str(garbage), "ice_thickness")
    data = open(is2_file, "rb").read()
    cut = tmp_path / "IS2SITDAT4_01_20190415_cut_bnum1_sm.nc"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=str(cut)):
        is2sitdat4.read_file(str(cut), "ice_thickness")


def test_missing_variable_is_an_error_not_a_fallback(tmp_path, is2_file):
    out = rewrite(is2_file, tmp_path / "nofb.nc", lambda ds: ds.drop_vars("freeboard"))
    with pytest.raises(InputError, match=r"missing variables \['freeboard'\]"):
        is2sitdat4.read_file(out, "freeboard")
    out = rewrite(is2_file, tmp_path / "nolat.nc", lambda ds: ds.drop_vars("latitude"))
    with pytest.raises(InputError, match="latitude"):
        is2sitdat4.read_file(out, "ice_thickness")


def test_units_are_converted_or_rejected(tmp_path, is2_file):
    ref = is2sitdat4.read_file(is2_file, "ice_thickness")

    def in_cm(ds, label):
        ds["ice_thickness"] = ds["ice_thickness"] * 100.0
        ds["ice_thickness"].attrs["units"] = label
        return ds

    labelled = rewrite(is2_file, tmp_path / "cm.nc", lambda ds: in_cm(ds, "cm"))
    np.testing.assert_allclose(is2sitdat4.read_file(labelled, "ice_thickness")["obs"], ref["obs"])
    mislabelled = rewrite(is2_file, tmp_path / "cm_as_m.nc", lambda ds: in_cm(ds, "m"))
    with pytest.raises(InputError, match="wrong units"):
        is2sitdat4.read_file(mislabelled, "ice_thickness")
    unknown = rewrite(is2_file, tmp_path / "ft.nc", lambda ds: in_cm(ds, "feet"))
    with pytest.raises(InputError, match="feet"):
        is2sitdat4.read_file(unknown, "ice_thickness")


def test_nan_is_dropped_inf_and_bad_coordinates_are_errors(tmp_path, is2_file):
    ref = is2sitdat4.read_file(is2_file, "ice_thickness")

    def poke(var, value, n=3):
        def fn(ds):
            v = ds[var].values.copy()
            v[:n] = value
            ds[var] = (ds[var].dims, v, ds[var].attrs)
            return ds

        return fn

    with_nan = rewrite(is2_file, tmp_path / "nan.nc", poke("ice_thickness", np.nan))
    assert len(is2sitdat4.read_file(with_nan, "ice_thickness")) == len(ref) - 3
    with_inf = rewrite(is2_file, tmp_path / "inf.nc", poke("ice_thickness", np.inf))
    with pytest.raises(InputError, match="infinite"):
        is2sitdat4.read_file(with_inf, "ice_thickness")
    bad_lat = rewrite(is2_file, tmp_path / "lat.nc", poke("latitude", 123.0))
    with pytest.raises(InputError, match="out of range"):
        is2sitdat4.read_file(bad_lat, "ice_thickness")


def test_missing_day_fails_or_is_flagged(tmp_path, demo_days):
    root, _ = demo_days
    src = is2_source(root)
    with pytest.raises(loading.DayMissing, match="2019-05-01"):
        loading.load_day(src, "2019-05-01", "EPSG:3411")
    out = tmp_path / "day.parquet"
    with pytest.raises(loading.DayMissing):
        load.load_day(source=src, day="2019-05-01", crs="EPSG:3411", inputs=[], output=str(out), missing_days="error")
    assert not out.exists()
    meta = load.load_day(source=src, day="2019-05-01", crs="EPSG:3411", inputs=[], output=str(out), missing_days="skip")
    assert meta["status"] == "missing" and "2019-05-01" in meta["reason"]
    assert pd.read_parquet(out).empty


def test_table_with_wrong_columns_or_scale(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1.0], "y": [2.0], "value": [1.0]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match=r"bad.csv: missing columns \['t', 'obs'\]"):
        tables.read_xyt_table(str(bad), "EPSG:3411")
    km = tmp_path / "km.csv"
    pd.DataFrame({"x": [3e7], "y": [2.0], "t": [18000.0], "obs": [1.0]}).to_csv(km, index=False)
    with pytest.raises(InputError, match="km.csv"):
        tables.read_xyt_table(str(km), "EPSG:3411")
