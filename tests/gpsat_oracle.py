"""GPSat's local expert, written from its conventions with plain GPflow and none of icegp's code.

Conventions (GPSat's LocalExpertOI as the inline example configures it): `t` is the day number; the
expert sits at its day number; local data are KD-tree distance <= training radius and
expert_t - N <= t <= expert_t + N; coordinates divided by coords_scale; zero prior mean; Matern-3/2
ARD GPR; prediction locations strictly within the prediction radius, at the expert's t.
"""

import gpflow
import numpy as np
from scipy.spatial import cKDTree


def local_expert(table, expert_xyt, hyper, *, training_radius, num_days, coords_scale, pred_xy, pred_radius):
    """(training loss, f_mean at the prediction locations it covers, those locations' row indices)."""
    xy = table[["x", "y"]].to_numpy(float)
    near = np.asarray(cKDTree(xy).query_ball_point(expert_xyt[:2], r=training_radius), dtype=int)
    t = table["t"].to_numpy(float)
    near = np.sort(near[(t[near] <= expert_xyt[2] + num_days) & (t[near] >= expert_xyt[2] - num_days)])
    scale = np.asarray(coords_scale, float)
    X = table[["x", "y", "t"]].to_numpy(float)[near] / scale
    Y = table["obs"].to_numpy(float)[near, None]
    kernel = gpflow.kernels.Matern32(
        lengthscales=np.array([hyper["lengthscale_x"], hyper["lengthscale_y"], hyper["lengthscale_t"]]) / scale,
        variance=hyper["kernel_variance"],
    )
    model = gpflow.models.GPR((X, Y), kernel=kernel, noise_variance=hyper["likelihood_variance"])
    rows = np.flatnonzero(np.hypot(pred_xy[:, 0] - expert_xyt[0], pred_xy[:, 1] - expert_xyt[1]) < pred_radius)
    Xs = np.c_[pred_xy[rows], np.full(len(rows), expert_xyt[2])] / scale
    f_mean, _ = model.predict_f(Xs)
    return float(model.training_loss().numpy()), f_mean.numpy()[:, 0], rows
