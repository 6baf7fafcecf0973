"""The batched path of ``device: gpu`` held to the fast engine, on the CPU (TensorFlow runs there too).

Per expert the batched bound and gradient equal the closed-form sparse engine's at the same
hyperparameters (to what K_uu's conditioning allows, see GRAD_MARGIN); padding and row blocks change
nothing; the batched fits end at the fast engine's optimum (objective to 1e-4 relative) on demo
experts and on seed-scale experts; the batched predictions equal the per-expert ones.
"""

import numpy as np
import pandas as pd
import pytest

from icegp import config
from icegp.experts import training
from icegp.gp import batched, sparse, statistics
from icegp.gp.engines import batching, make_engine
from icegp.gp.hyper import KV, LS
from icegp.gp.kernels import kernel
from icegp.gp.problem import Problem
from icegp.util.time_window import TimeWindow

from conftest import matern_problem

SGPR = {"model_type": "SGPR", "inducing_points": 40, "inducing_method": "kmeans", "coords_scale": [50_000, 50_000, 1]}
AGREEMENT = 1e-4  # relative objective difference that is the same optimum
# Two correct evaluations of the bound agree to what K_uu's conditioning allows: rounding of its
# entries moves the bound by about cond(K_uu) eps relative and the gradient by about cond(K_uu) eps of
# its largest component, more where a component cancels. Measured across OpenBLAS's Zen, Haswell,
# Prescott and Nehalem kernels and one thread (cond 42 to 1.9e7 over the kernels below): at most
# 13 cond eps on the bound and 280 cond eps on the gradient; the margins are 15x and 11x that.
VALUE_MARGIN, GRAD_MARGIN = 200, 3000


def problems_of(sizes, seed=0):
    """Matern-3/2 draws with an interior optimum, one per size, ids 0, 1, ..."""
    return [
        Problem(k, p.origin, p.X, p.y) for k, p in enumerate(matern_problem(seed + k, n) for k, n in enumerate(sizes))
    ]


def engines(**training_keys):
    cfg = config.section("training", {**SGPR, **training_keys})
    return make_engine(cfg, False), make_engine(cfg, True)


def scaled_batch(engine, problems, **pad):
    scaled = [engine._scaled(p) for p in problems]
    triples = [(Xs, y, engine._inducing(p, Xs)) for p, (Xs, y, _) in zip(problems, scaled)]
    return triples, batched.Batch.pad(triples, **pad)


@pytest.mark.parametrize("name", ["Matern12", "Matern32", "Matern52", "SquaredExponential"])
def test_batched_bound_and_gradient_equal_the_sparse_engine_per_expert(name):
    cpu, _ = engines(kernel=name)
    triples, batch = scaled_batch(cpu, problems_of((300, 450, 200)))
    rng = np.random.default_rng(1)
    low, high, init = cpu.space.vectors()
    theta = np.stack([init, *(low + (high - low) * rng.uniform(0.05, 0.5, 5) for _ in range(2))])
    value, grad = batched.value_and_grad(name, theta, batch)
    for k, (X, y, Z) in enumerate(triples):
        bound = sparse.SGPRBound(kernel(name), X, y, Z)
        v, g = bound.value_and_grad(theta[k])
        Kuu, _ = bound.kernel.covariance(bound.Suu, theta[k, LS], theta[k, KV])
        rounding = np.linalg.cond(Kuu + statistics.INDUCING_JITTER * np.eye(len(Z))) * np.finfo(float).eps
        assert value[k] == pytest.approx(v, rel=VALUE_MARGIN * rounding)
        np.testing.assert_allclose(grad[k], g, rtol=0, atol=GRAD_MARGIN * rounding * np.abs(g).max())


def test_batched_padding_and_row_blocks_change_nothing(monkeypatch):
    cpu, _ = engines()
    triples, batch = scaled_batch(cpu, problems_of((300, 450, 200)))
    theta = np.tile(cpu.space.vectors()[2], (3, 1))
    value, grad = batched.value_and_grad("Matern32", theta, batch)
    monkeypatch.setattr(batched, "BLOCK_BYTES", 3 * 40 * 3 * 8 * 37)  # blocks of 37 rows, the last one short
    padded = batched.Batch.pad(triples, rows=701)
    assert padded.block() == 37
    value2, grad2 = batched.value_and_grad("Matern32", theta, padded)
    alone = [batched.value_and_grad("Matern32", theta[:1], batched.Batch.pad([t]))[0][0] for t in triples]
    np.testing.assert_allclose(value2, value, rtol=1e-12)
    np.testing.assert_allclose(grad2, grad, rtol=1e-10, atol=1e-12 * np.abs(grad).max())
    np.testing.assert_allclose(alone, value, rtol=1e-12)


def test_batched_shapes_are_checked_where_arrays_enter():
    with pytest.raises(ValueError, match="batch member 1: X has shape"):
        batched.Batch.pad([(np.zeros((5, 3)), np.zeros(5), np.zeros((2, 3))), (np.zeros((5, 2)), np.zeros(5), None)])


def test_batched_batches_bound_padded_rows():
    groups = batched.batches([100, 5, 60, 40, 300], rows=200)
    assert groups == [[1, 3, 2], [0], [4]]  # by size: 3 x 60 = 180 fit, 2 x 100 and a 300 do not
    assert sorted(i for g in groups for i in g) == list(range(5))


def test_batched_fits_reach_the_fast_engines_optimum_and_predict_the_same():
    problems = problems_of((300, 500, 420, 30))  # the last has fewer rows than inducing points: exact path
    cpu, gpu = engines(tolerance=1e-9)
    assert batching(gpu) is gpu and batching(cpu) is None
    ref = [cpu.fit_one(p) for p in problems]
    fits = gpu.fit_many(problems, [None] * len(problems))
    for a, b in zip(fits, ref):
        assert a.expert_id == b.expert_id and a.hyper is not None
        assert a.loss == pytest.approx(b.loss, rel=AGREEMENT)
        np.testing.assert_allclose(a.hyper.lengthscales, b.hyper.lengthscales, rtol=1e-2)
    Xstar = [p.X[::7] + [1e4, -1e4, 0.1] for p in problems]
    for got, want in zip(
        gpu.predict_many(problems, [r.hyper for r in ref], Xstar),
        map(cpu.predict, problems, [r.hyper for r in ref], Xstar),
    ):
        # TensorFlow's and LAPACK's factorisations of the same posterior. Measured over the numeric
        # variants (native, Prescott, Haswell) in two CI runs: the largest difference 0.31 and 0.44 of
        # (rtol 1e-8, atol 1e-10), the spread between variants 0.13 and 0.29 of it (it varies from run
        # to run); the tolerance, 10x that, is 34x the largest spread seen
        for key in ("f_mean", "f_var", "y_var"):
            np.testing.assert_allclose(got[key], want[key], rtol=1e-7, atol=1e-9)


def test_batched_fits_reach_the_optimum_on_seed_scale_experts():
    """n ~ 7,000 with 100 k-means points, as an expert of the seed's workload at +-7 days."""
    problems = problems_of((6_000, 7_500), seed=10)
    cpu, gpu = engines(inducing_points=100)
    ref = [cpu.fit_one(p) for p in problems]
    for a, b in zip(gpu.fit_many(problems, [None, None]), ref):
        assert a.loss == pytest.approx(b.loss, rel=AGREEMENT)


def test_batched_training_shard_matches_the_one_by_one_shard():
    """fit_shard takes the batched path for a batched engine, with restarts and a too-small expert."""
    rng = np.random.default_rng(3)
    n = 1500
    obs = pd.DataFrame({"x": rng.uniform(-6e5, 6e5, n), "y": rng.uniform(-6e5, 6e5, n), "t": rng.uniform(-1, 1, n)})
    obs["obs"] = np.sin(obs["x"] / 2e5) + np.cos(obs["y"] / 3e5) + rng.normal(0, 0.1, n)
    experts = pd.DataFrame(
        {
            "expert_id": [0, 1, 2, 3],
            "x": [-3e5, 0, 3e5, 5.9e5],
            "y": [0, 2e5, -1e5, 5.9e5],
            "t": 0.0,
            "lon": 0.0,
            "lat": 80.0,
        }
    )
    settings = config.section("training", {**SGPR, "training_radius": 250_000, "restarts": ["centre", "neighbours"]})
    cpu, gpu = make_engine(settings, False), make_engine(settings, True)
    empty = pd.DataFrame(columns=["expert_id"])
    window = TimeWindow("1970-01-01", 1)  # |t - t_expert| <= 1.5 keeps every row
    tables = [
        training.fit_shard(obs, experts, e, training=settings, window=window, min_obs=60, done=empty)
        for e in (cpu, gpu)
    ]
    one_by_one, together = tables
    too_few = together["status"] == "too_few_obs"
    assert too_few.any() and (too_few == (one_by_one["status"] == "too_few_obs")).all()
    fitted = ~too_few
    assert np.isfinite(together.loc[fitted, "loss"]).all()
    np.testing.assert_allclose(together.loc[fitted, "loss"], one_by_one.loc[fitted, "loss"], rtol=AGREEMENT)


def test_batched_gpu_benchmark_stops_saying_so_without_a_gpu():
    """On a machine whose TensorFlow sees no GPU (CI's) the device benchmark refuses to run on the CPU."""
    from icegp.bench import gpu as gpu_bench

    with pytest.raises(SystemExit, match="no GPU: TensorFlow sees \\[\\]"):
        gpu_bench.run(2, 7)


def test_batched_gpu_benchmark_compares_objectives_per_expert():
    from icegp.bench import gpu as gpu_bench

    cpu = pd.DataFrame({"expert_id": [1, 2, 3, 4], "loss": [100.0, -50.0, 10.0, np.nan]})
    gpu = pd.DataFrame({"expert_id": [2, 1, 3, 4], "loss": [-50.0 + 1e-3, 100.0 + 2e-2, 10.0 - 1e-3, 5.0]})
    got = gpu_bench.agreement(gpu, cpu)
    assert got["experts_compared"] == 3  # a NaN on either side is not compared
    assert got["loss_rel_diff_max"] == pytest.approx(2e-4)
    assert got["gpu_worse_share"] == pytest.approx(1 / 3)  # expert 1, 2e-4 above; expert 2 is 2e-5 above
