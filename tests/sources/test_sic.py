"""The NOAA/NSIDC sea-ice concentration CDR as pseudo-observations: reader, flags, grid, download."""

import functools
import http.server
import json
import shutil
import threading

import numpy as np
import pytest
import xarray as xr

from icegp import config, grid
from icegp.demo import synthetic
from icegp.jobs import load
from icegp.sources import download, loading, nsidc_cdr, registry
from icegp.sources.download import DownloadError
from icegp.util.checks import InputError
from icegp.util.time_window import TimeWindow

from conftest import copy_workflow, rewrite, snakemake

DAY = "2019-04-15"


@pytest.fixture
def sic_file(demo_days):
    return demo_days[1][DAY]["sic"]


def stored_values(path):
    with xr.open_dataset(path, mask_and_scale=False) as ds:
        return ds[nsidc_cdr.VARIABLE].values[0].astype(int)


def test_open_water_cells_of_the_generators_files_become_zeros(sic_file):
    stored = stored_values(sic_file)
    df = nsidc_cdr.read_file(sic_file, cutoff=0.15)
    assert len(df) == int((stored < 15).sum()) > 1000 and (df["obs"] == 0).all()
    xa, ya = nsidc_cdr.grid_axes()
    xx, yy = np.meshgrid(xa, ya)
    x, y = grid.lonlat_to_xy(df["lon"].to_numpy(), df["lat"].to_numpy(), nsidc_cdr.CRS)
    cells = set(zip(np.round(x), np.round(y)))
    assert cells == set(zip(np.round(xx[stored < 15]), np.round(yy[stored < 15])))  # no flagged cell
    assert df["lat"].max() < synthetic.ICE_EDGE_LAT  # open water lies south of the ice
    assert len(nsidc_cdr.read_file(sic_file, cutoff=0.15, coarsen=2)) == int((stored[::2, ::2] < 15).sum())
    assert len(nsidc_cdr.read_file(sic_file, cutoff=0.5)) > len(df)


def test_a_v5_layout_with_fractions_reads_the_same(sic_file, tmp_path):
    with xr.open_dataset(sic_file, mask_and_scale=False, decode_times=False) as ds:
        raw = ds[nsidc_cdr.VARIABLE].values[0].astype(float)
        x, y = ds["xgrid"].values, ds["ygrid"].values
    fraction = raw / 100.0  # as floats, flags scaled like the data (2.51 ..)
    v5 = xr.Dataset(
        {
            nsidc_cdr.VARIABLE: (
                ("time", "y", "x"),
                fraction[None],
                {"flag_values": np.array([251, 252, 253, 254, 255])},
            )
        },
        coords={"x": x, "y": y},
    )
    path = tmp_path / "sic_psn25_20190415_F17_v05r00.nc"
    v5.to_netcdf(path)
    a, b = nsidc_cdr.read_file(sic_file), nsidc_cdr.read_file(str(path))
    np.testing.assert_allclose(np.sort(a["lat"]), np.sort(b["lat"]))


def test_bad_files_are_named_errors(sic_file, tmp_path):
    def undeclared(ds):
        values = ds[nsidc_cdr.VARIABLE].values.copy()
        values[0, 10, 10] = 180
        ds[nsidc_cdr.VARIABLE].values = values
        return ds

    with pytest.raises(InputError, match=r"neither a concentration .* nor a declared flag .*180 stored"):
        nsidc_cdr.read_file(rewrite(sic_file, tmp_path / "flag.nc", undeclared, mask_and_scale=False))

    def renamed(ds):
        return ds.rename({nsidc_cdr.VARIABLE: "goddard_merged_seaice_conc"})

    def halved_grid(ds):
        return ds.assign(xgrid=ds["xgrid"] / 2, ygrid=ds["ygrid"] / 2)

    with pytest.raises(InputError, match="no variable 'cdr_seaice_conc'"):
        nsidc_cdr.read_file(rewrite(sic_file, tmp_path / "novar.nc", renamed, mask_and_scale=False))
    with pytest.raises(InputError, match="not the 25 km NSIDC polar-stereographic north grid"):
        nsidc_cdr.read_file(rewrite(sic_file, tmp_path / "grid.nc", halved_grid, mask_and_scale=False))


def fetch(source, day, manifest, missing_days):
    cache = download.cache_path(source, day)
    return load.fetch_gridded(source=source, day=day, cache=cache, manifest=manifest, missing_days=missing_days)


def test_download_from_the_bucket_layout_and_a_day_the_server_lacks(sic_file, tmp_path):
    served = tmp_path / "served" / "2019"
    served.mkdir(parents=True)
    shutil.copy(sic_file, served)  # the server has 2019-04-15 only
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "served"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        source = config.source(
            "sic",
            {
                "type": "nsidc_cdr_sic",
                "cache": str(tmp_path / "cache"),
                "backoff_s": 0.01,
                "retries": 1,
                "url": f"http://127.0.0.1:{httpd.server_address[1]}/{{YYYY}}/seaice_conc_daily_nh_{{YYYYMMDD}}_f17_v04r00.nc",
            },
        )
        manifest = str(tmp_path / f"{DAY}.json")
        fetch(source, DAY, manifest, "error")
        df = loading.load_day(source, DAY, "EPSG:3411", [manifest])
        assert len(df) == len(nsidc_cdr.read_file(sic_file)) and (df["obs"] == 0).all()
        assert (df["source"] == "sic").all() and np.allclose(df["t"] % 1, 0.5)  # a daily map: the day's centre
        with pytest.raises(DownloadError, match="day 2019-04-16: .*404"):
            fetch(source, "2019-04-16", str(tmp_path / "16.json"), "error")
        fetch(source, "2019-04-16", str(tmp_path / "16.json"), "skip")
        assert json.loads((tmp_path / "16.json").read_text())["status"] == "missing"
        with pytest.raises(loading.DayMissing, match="day 2019-04-16"):
            loading.load_day(source, "2019-04-16", "EPSG:3411", [str(tmp_path / "16.json")])
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_sic_defaults_follow_the_old_pipeline():
    src = config.source("sic", {"type": "nsidc_cdr_sic", "path": "x"})
    assert src["use_prediction_day_only"] and src["coarsen"] == 1 and src["sic_cutoff"] == 0.15
    assert registry.source_time_stamps(src) == "day"
    assert TimeWindow.of({"num_days_before_after": 3}, "2019-04-15", src).days == ["2019-04-15"]
    smap = config.source("smap", {"type": "bremen_smos_smap", "path": "x", "smap_use_prediction_day_only": True})
    assert smap["use_prediction_day_only"]  # the old pipeline's name still works


@pytest.mark.workflow
def test_freeboard_with_sic_example_end_to_end(tmp_path):
    work = copy_workflow(tmp_path)
    snakemake(work, "--configfile", str(work / "config/examples/freeboard_sic.yaml"))  # as the README says
    target = work / "results/2019-04-15"
    report = json.loads((target / "observations.json").read_text())
    assert report["rows"]["sic"] > 1000 and report["rows"]["is2"] > 1000
    with xr.open_dataset(target / "product.nc") as ds:
        assert ds["sea_ice_freeboard"].attrs["standard_name"] == "sea_ice_freeboard"
    scores = json.loads((target / "validation.json").read_text())
    assert scores["variable"] == "sea_ice_freeboard"
    assert scores["truth"]["rmse"] < scores["truth"]["reference_std"] / 5
