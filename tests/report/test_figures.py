"""icegp.report's daily and expert maps on a small synthetic polar-stereographic product: real PNGs, read back."""

from __future__ import annotations

import matplotlib.colors
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from icegp import grid as icegp_grid
from icegp.report import daily_maps, expert_maps, maps

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_valid_png(path) -> np.ndarray:
    """A real, readable PNG that shows something (not one flat colour); returns its pixels."""
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    img = matplotlib.image.imread(path)
    assert img.ndim == 3 and np.ptp(img[..., :3]) > 0
    return img


def colour_fraction(img: np.ndarray, rgb, tol: float = 0.02) -> float:
    """The share of pixels within `tol` of `rgb` in every channel."""
    return float((np.abs(img[..., :3] - np.asarray(rgb)) < tol).all(axis=-1).mean())


@pytest.fixture
def grid():
    """A 20 x 24 cell, 25 km grid with y descending, as the products are written."""
    x = np.arange(24) * 25e3 - 300e3
    y = (np.arange(20) * 25e3 - 250e3)[::-1]
    return x, y


@pytest.fixture
def product(grid):
    x, y = grid
    xx, yy = np.meshgrid(x, y)
    field = 1.5 + np.sin(xx / 150e3) * np.cos(yy / 200e3)
    field[:4, :5] = np.nan  # "land"
    binned = np.full_like(field, np.nan)
    binned[::3, :] = field[::3, :] + 0.1  # sparse tracks
    r = np.hypot(xx, yy)
    dims = ("time", "y", "x")
    return xr.Dataset(
        {
            "sit": (dims, field[None], {"units": "m"}),
            "sit_std": (dims, (0.1 + r / 2e6)[None], {"units": "m"}),
            "sit_input": (dims, binned[None], {"units": "m"}),
        },
        coords={
            "time": [np.datetime64("2019-04-15")],
            "x": x,
            "y": y,
            "lat": (("y", "x"), 90 - r / 111e3),
            "lon": (("y", "x"), np.degrees(np.arctan2(yy, xx))),
        },
    )


SCALE = {"vmax": 5.0, "std_vmax": 1.0}


def pngs(folder):
    return {name: folder / f"{name}.png" for name in ("product", "std", "input", "difference")}


def test_product_maps_without_truth_writes_three_maps_only(product, tmp_path):
    written = daily_maps.product_maps(product, "sit", pngs(tmp_path), **SCALE)
    assert [p.name for p in written] == ["product.png", "std.png", "input.png"]
    for path in written:
        assert_valid_png(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.png", "product.png", "std.png"]  # no temps


def test_product_maps_with_truth_adds_difference(product, tmp_path):
    truth = product["sit"].isel(time=0, drop=True) - 0.2
    written = daily_maps.product_maps(product, "sit", pngs(tmp_path), truth=truth, **SCALE)
    assert written[-1] == tmp_path / "difference.png"
    img = assert_valid_png(written[-1])
    # a uniform +0.2 difference sits at the top of its symmetric scale: the map is dark red, and
    # the dark blue of the other end appears only in the colour bar
    assert colour_fraction(img, (0.40, 0.0, 0.12), tol=0.05) > 0.2
    assert colour_fraction(img, (0.02, 0.19, 0.38), tol=0.05) < 0.02


def test_difference_needs_truth_on_the_same_grid(product, tmp_path):
    truth = product["sit"].isel(time=0, drop=True).assign_coords(x=product["x"] + 1.0)
    with pytest.raises(ValueError):
        daily_maps.product_maps(product, "sit", pngs(tmp_path), truth=truth, **SCALE)
    assert not (tmp_path / "difference.png").exists()


def test_maps_share_a_scale_from_zero_whatever_the_day_holds(product, tmp_path):
    """A day at 2.5 m everywhere is drawn in the middle colour of 0-5 m, not at either end of its own range."""
    flat = product.assign(sit=product["sit"] * 0 + 2.5, sit_input=product["sit_input"] * 0 + 2.5)
    img = assert_valid_png(daily_maps.product_maps(flat, "sit", pngs(tmp_path), **SCALE)[0])
    assert colour_fraction(img, (0.128, 0.567, 0.551), tol=0.03) > 0.2  # viridis(0.5)


def test_map_background_draws_land_coastline_and_latitude_circles(product, tmp_path):
    x, y = product["x"].values, product["y"].values
    fx, fy = np.linspace(x[0], x[-1], 96), np.linspace(y[0], y[-1], 80)
    xx, yy = np.meshgrid(fx, fy)
    background = xr.Dataset(
        {"land": (("y", "x"), (xx < -150e3).astype("int8")), "lat": (("y", "x"), 90 - np.hypot(xx, yy) / 111e3 * 7)},
        coords={"x": fx, "y": fy},
    )
    plain = assert_valid_png(daily_maps.product_maps(product, "sit", pngs(tmp_path / "a"), **SCALE)[0])
    drawn = assert_valid_png(
        daily_maps.product_maps(product, "sit", pngs(tmp_path / "b"), background=background, **SCALE)[0]
    )
    tan = matplotlib.colors.to_rgb(maps.LAND_COLOUR)
    assert colour_fraction(drawn, tan) > 0.1 > colour_fraction(plain, tan)  # land on the left quarter
    assert colour_fraction(drawn, (0.35, 0.35, 0.35), tol=0.06) > colour_fraction(plain, (0.35, 0.35, 0.35), tol=0.06)


def test_meridians_lie_on_their_longitudes_and_are_drawn_labelled(product, tmp_path):
    """The background's meridians, projected back with pyproj, are at their longitudes; a map draws
    them (more grey line than without) and names them as maps do."""
    x_axis, y_axis = icegp_grid.grid_axes((-1_000_000, 1_000_000, -1_000_000, 1_000_000), 100_000.0)
    background = icegp_grid.map_background(x_axis, y_axis, "EPSG:3413")
    lon, lat = icegp_grid.xy_to_lonlat(background["meridian_x"].values, background["meridian_y"].values, "EPSG:3413")
    want = (background["meridian"].values[:, None] + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(np.cos(np.radians(lon - want)), 1.0, atol=1e-12)
    assert lat.min() == pytest.approx(40.0) and lat.max() == pytest.approx(89.5)
    assert [maps.meridian_label(v) for v in (0.0, 45.0, 180.0, 225.0, 315.0)] == ["0°", "45°E", "180°", "135°W", "45°W"]
    field = xr.DataArray(np.full((len(y_axis), len(x_axis)), 1.0), dims=("y", "x"), coords={"y": y_axis, "x": x_axis})
    grey = (0.35, 0.35, 0.35)
    without = background.drop_vars(["meridian_x", "meridian_y", "meridian"])
    plain = assert_valid_png(maps.write_map(field, tmp_path / "a.png", "t", "m", background=without, vmin=0, vmax=2))
    drawn = assert_valid_png(maps.write_map(field, tmp_path / "b.png", "t", "m", background=background, vmin=0, vmax=2))
    assert colour_fraction(drawn, grey, tol=0.06) > colour_fraction(plain, grey, tol=0.06)


def test_symmetric_limit_is_98th_percentile_of_magnitude():
    values = np.r_[-np.arange(100.0), np.nan, 1e6]  # one huge outlier must not set the scale
    assert maps.symmetric_limit(values) == pytest.approx(np.percentile(np.abs(values[np.isfinite(values)]), 98))
    assert maps.symmetric_limit([np.nan, np.nan]) == 1.0
    assert maps.symmetric_limit(np.zeros(5)) == 1.0


def test_expert_status_colours_known_and_unknown_statuses(tmp_path):
    rng = np.random.default_rng(0)
    statuses = ["ok"] * 30 + ["cholesky_failed"] * 5 + ["something_new"] * 3
    df = pd.DataFrame(
        {"x": rng.uniform(-5e5, 5e5, len(statuses)), "y": rng.uniform(-5e5, 5e5, len(statuses)), "status": statuses}
    )
    out = expert_maps.expert_status(df, tmp_path / "sub" / "experts.png")
    img = assert_valid_png(out)
    assert colour_fraction(img, (0.173, 0.627, 0.173)) > 0  # tab:green, ok
    assert colour_fraction(img, (0.839, 0.153, 0.157)) > 0  # tab:red, cholesky_failed
    assert colour_fraction(img, (0.122, 0.467, 0.706)) > 0  # tab:blue, first spare colour for the unknown status


def hyper_table(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.uniform(-5e5, 5e5, n), "y": rng.uniform(-5e5, 5e5, n)})
    for param, scale in [
        ("lengthscale_x", 2e5),
        ("lengthscale_y", 2e5),
        ("lengthscale_t", 3.0),
        ("kernel_variance", 0.3),
        ("likelihood_variance", 0.05),
    ]:
        df[f"{param}_raw"] = scale * rng.lognormal(0, 0.5, n)
        df[param] = df[f"{param}_raw"].rolling(5, min_periods=1).mean()
    return df


def test_hyperparameter_maps_one_row_per_present_parameter(tmp_path):
    df = hyper_table()
    full = assert_valid_png(expert_maps.hyperparameter_maps(df, tmp_path / "full.png"))
    smoothed_only = df[["x", "y", "kernel_variance"]]  # one parameter, no raw column
    one = assert_valid_png(expert_maps.hyperparameter_maps(smoothed_only, tmp_path / "one.png"))
    assert full.shape[0] == pytest.approx(5 * one.shape[0], rel=0.02)
    assert full.shape[1] == one.shape[1]


def test_hyperparameter_maps_without_any_parameter_fails(tmp_path):
    with pytest.raises(ValueError, match="no hyperparameter columns"):
        expert_maps.hyperparameter_maps(hyper_table()[["x", "y"]], tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()
