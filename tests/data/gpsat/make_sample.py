"""Writes the tiny GPSat-style sample next to this file (deterministic; rerun only to change it).

obs.parquet: x, y (EPSG:6931 metres), t (days since 1970), obs (m), 50 km cell-day means of synthetic
along-track thickness around 2020-03-05; experts.csv and predictions.csv: x, y lattices as GPSat uses.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from icegp import grid
from icegp.demo import synthetic
from icegp.util.time_window import TimeWindow

HERE = Path(__file__).parent
CRS = "EPSG:6931"
TARGET = "2020-03-05"
SPACING = 50_000.0


def main():
    frames = []
    ocean = synthetic.OceanMask.build()
    for day in TimeWindow(TARGET, 4).days:
        beam = synthetic.is2_day(day, 11, synthetic.SCALES["small"], ["bnum3"], ocean)["bnum3"]
        x, y = grid.lonlat_to_xy(beam["longitude"], beam["latitude"], CRS)
        keep = (np.abs(x) < 700_000) & (np.abs(y) < 700_000)
        frames.append(
            pd.DataFrame(
                {"x": x[keep], "y": y[keep], "t": np.floor(beam["t"][keep]), "obs": beam["ice_thickness"][keep]}
            )
        )
    raw = pd.concat(frames, ignore_index=True)
    raw["ix"] = np.floor(raw["x"] / SPACING)
    raw["iy"] = np.floor(raw["y"] / SPACING)
    binned = raw.groupby(["ix", "iy", "t"]).agg(obs=("obs", "mean")).reset_index()
    binned["x"] = (binned["ix"] + 0.5) * SPACING
    binned["y"] = (binned["iy"] + 0.5) * SPACING
    binned[["x", "y", "t", "obs"]].to_parquet(HERE / "obs.parquet", index=False)
    e = np.arange(-400_000, 400_001, 200_000.0)
    ex, ey = np.meshgrid(e, e)
    pd.DataFrame({"x": ex.ravel(), "y": ey.ravel()}).to_csv(HERE / "experts.csv", index=False)
    p = np.arange(-575_000, 575_001, SPACING)
    px, py = np.meshgrid(p, p)
    pd.DataFrame({"x": px.ravel(), "y": py.ravel()}).to_csv(HERE / "predictions.csv", index=False)


if __name__ == "__main__":
    main()
