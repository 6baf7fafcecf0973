"""A deterministic synthetic Arctic for the demo: a smooth, drifting "true" sea-ice thickness field,
sampled along ICESat-2-like ground tracks and as Bremen SMOS/SMAP thin-ice maps.

The truth has two known scales that the GP fits can be checked against: a large-scale gradient
(thick ice north of Greenland and the Canadian Archipelago, thin toward Siberia) plus Gaussian
anomalies of e-folding radius ``ANOMALY_SCALE_M`` that drift at ``DRIFT_M_PER_DAY`` and breathe with a
period of ``ANOMALY_PERIOD_DAYS``. Everything is driven by one seed, so a day's files are identical
whichever job writes them.

Like real ice, its statistics change through a season (:func:`season_state`): the anomalies' radius
and amplitude, the ice edge and the IS-2 noise drift with a period of ``SEASON_PERIOD_DAYS``, so a
strategy that reuses one day's hyperparameters for distant days pays for it in the scores. Every
drift is zero on ``SEASON_REF_DAY``, the demo's day, whose truth is the unchanging field's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from icegp import grid
from icegp.util import timestamps

FREEBOARD_PER_THICKNESS = 0.12  # the synthetic freeboard is this fraction of the thickness
ICE_EDGE_LAT = 66.0  # no ice south of this latitude
EDGE_TAPER_DEG = 8.0  # thickness ramps up over this many degrees north of the edge
ANOMALY_SCALE_M = 250_000.0  # e-folding radius of the thickness anomalies
ANOMALY_AMPLITUDE_M = 0.7
DRIFT_M_PER_DAY = 8_000.0
ANOMALY_PERIOD_DAYS = 30.0
N_ANOMALIES = 16
TRUTH_CRS = "EPSG:3411"  # the field is defined in this projection, whatever the workflow CRS
EARTH_RADIUS_M = 6_371_000.0
INCLINATION_DEG = 92.0
ORBIT_PERIOD_DAYS = 1.0 / 15.09  # ICESat-2: ~15 orbits a day
BEAM_OFFSETS_M = {"bnum1": -3300.0, "bnum3": 0.0, "bnum5": 3300.0}  # the three strong beams
MIN_TRACK_LAT = 60.0
SEASON_REF_DAY = "2019-04-15"  # the drifts below vanish here
SEASON_PERIOD_DAYS = 60.0
SEASON_SCALE_SWING = 0.3  # anomaly radius x (1 + swing sin(phase))
SEASON_AMPLITUDE_SWING = 0.3  # anomaly amplitude x (1 - swing sin(phase)): larger features are fainter
SEASON_NOISE_SWING = 0.3  # IS-2 noise x (1 + swing sin(2 phase))
SEASON_EDGE_SWING_DEG = 3.0  # ice edge at ICE_EDGE_LAT + swing sin(phase)


@dataclass(frozen=True)
class SeasonState:
    """The truth's statistics at one time: what a season's hyperparameters have to follow."""

    anomaly_scale_m: float
    anomaly_amplitude: float  # a factor on each anomaly's amplitude
    noise_factor: float  # a factor on the IS-2 noise
    ice_edge_lat: float


def season_state(t) -> SeasonState:
    """The statistics at time `t` (days since 1970): smooth drifts, zero on SEASON_REF_DAY."""
    phase = 2 * np.pi * (np.asarray(t, float) - timestamps.day_to_t(SEASON_REF_DAY)) / SEASON_PERIOD_DAYS
    return SeasonState(
        anomaly_scale_m=ANOMALY_SCALE_M * (1 + SEASON_SCALE_SWING * np.sin(phase)),
        anomaly_amplitude=1 - SEASON_AMPLITUDE_SWING * np.sin(phase),
        noise_factor=1 + SEASON_NOISE_SWING * np.sin(2 * phase),
        ice_edge_lat=ICE_EDGE_LAT + SEASON_EDGE_SWING_DEG * np.sin(phase),
    )


@dataclass(frozen=True)
class DemoScale:
    """Sampling density of the synthetic observations."""

    section_length_m: float  # along-track spacing of IS2SITDAT4 sections
    is2_noise_m: float  # thickness noise per section
    gap_fraction: float  # fraction of sections lost to clouds and leads
    smap_noise_m: float


SCALES = {
    "small": DemoScale(section_length_m=25_000.0, is2_noise_m=0.25, gap_fraction=0.3, smap_noise_m=0.05),
    "pan_arctic": DemoScale(section_length_m=10_000.0, is2_noise_m=0.3, gap_fraction=0.2, smap_noise_m=0.05),
}


def _anomalies(seed: int):
    rng = np.random.default_rng(seed)
    r = rng.uniform(0.0, 2.0e6, N_ANOMALIES)
    theta = rng.uniform(0.0, 2 * np.pi, N_ANOMALIES)
    centres = np.c_[r * np.cos(theta), r * np.sin(theta)]
    heading = rng.uniform(0.0, 2 * np.pi, N_ANOMALIES)
    velocity = DRIFT_M_PER_DAY * np.c_[np.cos(heading), np.sin(heading)]
    amplitude = ANOMALY_AMPLITUDE_M * rng.choice([-1.0, 1.0], N_ANOMALIES) * rng.uniform(0.5, 1.0, N_ANOMALIES)
    phase = rng.uniform(0.0, 2 * np.pi, N_ANOMALIES)
    return centres, velocity, amplitude, phase


class OceanMask:
    """Ocean on the NSIDC 12.5 km polar-stereographic north grid, looked up by nearest cell.

    Built once from global-land-mask (which takes ~3 s and ~1 GB to load) and shared by every demo day.
    """

    SPACING = 12_500.0

    def __init__(self, ocean: np.ndarray):
        self.x, self.y = grid.grid_axes(grid.NSIDC_NORTH_EXTENT, self.SPACING)
        if ocean.shape != (len(self.y), len(self.x)):
            raise ValueError(f"ocean mask shape {ocean.shape} is not the 12.5 km grid's {(len(self.y), len(self.x))}")
        self.ocean = ocean.astype(bool)

    @classmethod
    def build(cls) -> "OceanMask":
        x, y = grid.grid_axes(grid.NSIDC_NORTH_EXTENT, cls.SPACING)
        xx, yy = np.meshgrid(x, y)
        lon, lat = grid.xy_to_lonlat(xx, yy, TRUTH_CRS)
        return cls(grid.is_ocean(lon, lat))

    @classmethod
    def load(cls, path) -> "OceanMask":
        return cls(np.load(path))

    def save(self, path) -> None:
        from icegp.util.atomic import atomic_path

        with atomic_path(path, ".npy") as tmp:
            with open(tmp, "wb") as fh:
                np.save(fh, self.ocean)

    def __call__(self, lon, lat) -> np.ndarray:
        x, y = grid.lonlat_to_xy(lon, lat, TRUTH_CRS)
        i = np.floor((self.y[0] + self.SPACING / 2 - np.asarray(y)) / self.SPACING).astype(int)
        j = np.floor((np.asarray(x) - self.x[0] + self.SPACING / 2) / self.SPACING).astype(int)
        inside = (i >= 0) & (i < len(self.y)) & (j >= 0) & (j < len(self.x))
        out = np.zeros(np.shape(x), bool)
        out[inside] = self.ocean[i[inside], j[inside]]
        return out


def truth_thickness(lon, lat, t, seed: int, ocean) -> np.ndarray:
    """True sea-ice thickness (m) at lon, lat (degrees) and t (days since 1970); NaN off the ice.

    `ocean(lon, lat)` is the land mask (an :class:`OceanMask`)."""
    lon, lat, t = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float), np.asarray(t, float))
    x, y = grid.lonlat_to_xy(lon, lat, TRUTH_CRS)
    base = 1.8 + 1.0 * np.tanh(-(x + y) / 2.0e6)
    centres, velocity, amplitude, phase = _anomalies(seed)
    t0 = timestamps.day_to_t("2019-01-01")
    state = season_state(t)
    anomaly = np.zeros_like(x)
    for c, v, a, p in zip(centres, velocity, amplitude, phase):
        cx = c[0] + v[0] * (t - t0)
        cy = c[1] + v[1] * (t - t0)
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        anomaly += (
            a
            * state.anomaly_amplitude
            * (0.75 + 0.25 * np.sin(2 * np.pi * (t - t0) / ANOMALY_PERIOD_DAYS + p))
            * np.exp(-0.5 * d2 / state.anomaly_scale_m**2)
        )
    taper = np.clip((lat - state.ice_edge_lat) / EDGE_TAPER_DEG, 0.0, 1.0)
    h = np.maximum(taper * (base + anomaly), 0.05)
    ice = (lat >= state.ice_edge_lat) & ocean(lon, lat)
    return np.where(ice, h, np.nan)


def ground_tracks(day: str, section_length_m: float) -> dict:
    """Ground tracks of one day's orbits (lat >= 60N): lon, lat, t and a track id per section.

    Each orbit is a great circle at 92 degrees inclination; the Earth turns beneath it, so successive
    orbits shift west, and the day's first node shifts with the day number (a 91-day repeat-like drift).
    """
    t_day = timestamps.day_to_t(day)
    du = np.degrees(section_length_m / EARTH_RADIUS_M)
    u = np.arange(0.0, 360.0, du)
    inc = np.radians(INCLINATION_DEG)
    lons, lats, ts, tracks = [], [], [], []
    n_orbits = int(np.floor(1.0 / ORBIT_PERIOD_DAYS))
    node0 = (t_day * 360.0 / 91.0 * 7.0) % 360.0
    for k in range(n_orbits):
        t_orbit = t_day + (k + 0.5) * ORBIT_PERIOD_DAYS * (1.0 - 1e-3)
        ur = np.radians(u)
        lat = np.degrees(np.arcsin(np.sin(inc) * np.sin(ur)))
        dlon = np.degrees(np.arctan2(np.cos(inc) * np.sin(ur), np.cos(ur)))
        frac = u / 360.0
        lon = node0 - k * 360.0 * ORBIT_PERIOD_DAYS + dlon - 360.0 * frac * ORBIT_PERIOD_DAYS
        t = t_orbit + frac * ORBIT_PERIOD_DAYS
        keep = lat >= MIN_TRACK_LAT
        lons.append(((lon[keep] + 180.0) % 360.0) - 180.0)
        lats.append(lat[keep])
        ts.append(t[keep])
        tracks.append(np.full(keep.sum(), k))
    return {
        "lon": np.concatenate(lons),
        "lat": np.concatenate(lats),
        "t": np.concatenate(ts),
        "track": np.concatenate(tracks),
    }


def _offset_beam(lon, lat, track, offset_m):
    """Shift a ground track sideways by `offset_m` (positive to the right of travel)."""
    if offset_m == 0.0:
        return lon, lat
    x, y = grid.lonlat_to_xy(lon, lat, TRUTH_CRS)
    dx = np.gradient(x)
    dy = np.gradient(y)
    # gradients across a track boundary are meaningless: reuse the neighbour's direction
    boundary = np.r_[track[1:] != track[:-1], False] | np.r_[False, track[1:] != track[:-1]]
    dx[boundary] = np.nan
    dy[boundary] = np.nan
    norm = np.hypot(dx, dy)
    nx, ny = dy / norm, -dx / norm
    nx = np.where(np.isfinite(nx), nx, 0.0)
    ny = np.where(np.isfinite(ny), ny, 0.0)
    return grid.xy_to_lonlat(x + offset_m * nx, y + offset_m * ny, TRUTH_CRS)


def _day_rng(seed: int, day: str, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, int(day.replace("-", "")), stream])


def is2_day(day: str, seed: int, scale: DemoScale, beams, ocean) -> dict:
    """One day of synthetic IS2SITDAT4 sections per beam: dict beam -> dict of arrays."""
    tr = ground_tracks(day, scale.section_length_m)
    out = {}
    for b, beam in enumerate(beams):
        rng = _day_rng(seed, day, 10 + b)
        lon, lat = _offset_beam(tr["lon"], tr["lat"], tr["track"], BEAM_OFFSETS_M.get(beam, 0.0))
        h = truth_thickness(lon, lat, tr["t"], seed, ocean)
        # gaps come in runs (clouds), drawn per track section blocks of ~8 sections
        block = np.arange(len(lon)) // 8
        lost = rng.random(block.max() + 1) < scale.gap_fraction
        keep = np.isfinite(h) & ~lost[block]
        n = int(keep.sum())
        sigma = scale.is2_noise_m * season_state(tr["t"][keep]).noise_factor
        thick = h[keep] + sigma * rng.normal(0.0, 1.0, n)
        out[beam] = {
            "latitude": lat[keep],
            "longitude": lon[keep],
            "t": tr["t"][keep],
            "ice_thickness": thick,
            "ice_thickness_unc": sigma,
            "freeboard": FREEBOARD_PER_THICKNESS * h[keep] + rng.normal(0.0, 0.03, n),
            "snow_depth": 0.15 + 0.05 * h[keep] + rng.normal(0.0, 0.03, n),
        }
    return out


def smap_day(day: str, seed: int, scale: DemoScale, ocean, thin_max_m: float = 0.8):
    """A Bremen SMOS/SMAP-like day on the 12.5 km polar-stereographic grid, thickness in cm."""
    xa, ya = grid.grid_axes(grid.NSIDC_NORTH_EXTENT, 12_500.0)
    xx, yy = np.meshgrid(xa, ya)
    lon, lat = grid.xy_to_lonlat(xx, yy, TRUTH_CRS)
    near = lat >= ICE_EDGE_LAT - SEASON_EDGE_SWING_DEG - 1.0
    h = np.full(xx.shape, np.nan)
    h[near] = truth_thickness(lon[near], lat[near], timestamps.day_to_t(day) + 0.5, seed, ocean)
    rng = _day_rng(seed, day, 99)
    obs = h + rng.normal(0.0, scale.smap_noise_m, h.shape)
    thin = np.isfinite(h) & (h <= thin_max_m)
    combined = np.where(thin, np.clip(obs, 0.0, None) * 100.0, np.nan)
    # a few cells have only one sensor, so readers must fall back from combined to smap to smos
    only_smap = thin & (rng.random(h.shape) < 0.05)
    smap = np.where(thin, combined + rng.normal(0.0, 1.0, h.shape), np.nan)
    smos = np.where(thin, combined + rng.normal(0.0, 1.0, h.shape), np.nan)
    combined = np.where(only_smap, np.nan, combined)
    return {
        "x": xa,
        "y": ya,
        "lon": lon,
        "lat": lat,
        "combined_thickness": combined,
        "smap_thickness": smap,
        "smos_thickness": smos,
    }


#: The synthetic concentration ramps from 0 to 1 over these latitudes (the ice edge lies inside).
SIC_RAMP_LAT = (63.0, 67.0)
POLE_HOLE_LAT = 89.2  # the SSMIS pole hole of the F17 CDR


def sic_day(day: str, seed: int, ocean) -> np.ndarray:
    """A G02202-like day on the 25 km grid: stored bytes of percent, with land, coast, pole-hole and
    a few missing cells flagged as the CDR flags them."""
    from scipy.ndimage import binary_dilation

    from icegp.sources import nsidc_cdr

    xa, ya = nsidc_cdr.grid_axes()
    xx, yy = np.meshgrid(xa, ya)
    lon, lat = grid.xy_to_lonlat(xx, yy, nsidc_cdr.CRS)
    rng = _day_rng(seed, day, 7)
    shift = season_state(timestamps.day_centre(day)).ice_edge_lat - ICE_EDGE_LAT  # the ramp follows the ice edge
    lo, hi = SIC_RAMP_LAT[0] + shift, SIC_RAMP_LAT[1] + shift
    fraction = np.clip((lat - lo) / (hi - lo) + rng.normal(0.0, 0.03, lat.shape), 0.0, 1.0)
    stored = np.round(fraction * 100).astype(np.uint8)
    water = ocean(lon, lat)
    coast = water & binary_dilation(~water)
    stored[~water] = 254
    stored[coast] = 253
    stored[lat > POLE_HOLE_LAT] = 251
    stored[water & ~coast & (rng.random(lat.shape) < 0.001)] = 255
    return stored


#: The demo's regions: sectors of longitude (degrees east, start inclusive) and latitude that stand
#: in for the NSIDC-0780 regions of those names (codes as icegp.sources.nsidc_0780.REGIONS).
REGION_SECTORS = (  # (code, lon from, lon to, lat from, lat to); the first match wins
    (1, 0, 360, 80, 90),  # central_arctic
    (12, 235, 280, 68, 80),  # canadian_archipelago
    (11, 265, 285, 50, 68),  # hudson_bay
    (9, 280, 305, 55, 80),  # baffin_bay_and_davis_strait
    (13, 160, 205, 50, 66),  # bering_sea
    (14, 135, 160, 45, 62),  # sea_of_okhotsk
    (2, 200, 235, 66, 80),  # beaufort_sea
    (3, 180, 200, 66, 80),  # chukchi_sea
    (4, 140, 180, 66, 80),  # east_siberian_sea
    (5, 100, 140, 66, 80),  # laptev_sea
    (6, 60, 100, 66, 80),  # kara_sea
    (7, 15, 60, 66, 80),  # barents_sea
    (8, 305, 375, 60, 80),  # east_greenland_sea (across 0 E)
)


def region_codes(lon, lat) -> np.ndarray:
    """The demo region (0 outside every sector) of each point."""
    lon = np.mod(np.asarray(lon, float), 360.0)
    lat = np.asarray(lat, float)
    codes = np.zeros(np.shape(lon), "uint8")
    for code, lon0, lon1, lat0, lat1 in reversed(REGION_SECTORS):  # reversed: the first match is written last
        east = (lon >= lon0) & (lon < lon1) | (lon + 360.0 >= lon0) & (lon + 360.0 < lon1)
        codes[east & (lat >= lat0) & (lat < lat1)] = code
    return codes


OTHER_BIAS_M = 0.1  # the demo's other product reads this much thicker than the truth ...
OTHER_NOISE_M = 0.1  # ... with this much independent noise per 25 km cell


def other_product_day(day: str, seed: int, ocean) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Another product's map of the day to compare with (as CS2SMOS or IS2SITMOGR4 would be): the truth
    at noon on the NSIDC 25 km north grid, OTHER_BIAS_M thicker, with noise; NaN off the ice."""
    x, y = grid.grid_axes(grid.NSIDC_NORTH_EXTENT, 25_000.0)
    xx, yy = np.meshgrid(x, y)
    lon, lat = grid.xy_to_lonlat(xx, yy, TRUTH_CRS)
    h = truth_thickness(lon, lat, timestamps.day_centre(day), seed, ocean)
    noise = _day_rng(seed, day, stream=123).normal(0.0, OTHER_NOISE_M, h.shape)
    return x, y, np.where(np.isfinite(h) & (h > 0), h + OTHER_BIAS_M + noise, np.nan)
