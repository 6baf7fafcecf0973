"""Shared fixtures: demo files written by the real generator, and helpers to run real snakemake.

The rule every test follows: it must hold on any CPU. Another machine has other BLAS kernels and
other last bits in every sum, so an optimiser may stop one step earlier or for another reason there.
Tests therefore assert the optimum reached (the objective against an independent optimum or another
engine's, the parameters, the predictions) with tolerances that rounding cannot cross; never the
optimiser's stop reason, `converged` flag or iteration count, and never exact equality of floats
computed along different paths (exact equality is asserted only for values copied or recomputed by
the same code on the same machine, such as a resumed run's product against an uninterrupted one).

Tolerances are derived or measured, never set at a value one machine happens to pass. Derived: a
bound from the computation (n u for a sum of n non-negative terms, cond x eps for a factorisation),
written beside the assertion. Measured: run the numeric-variants lane (`bash .ci/numeric-variants.sh`:
other OpenBLAS kernels, one thread, TensorFlow without oneDNN); tests/tolerance_probe.py reports how
much of its tolerance every assertion used in each environment, and the lane fails where the largest
use plus ten times the spread between environments reaches the tolerance. Say beside the assertion
what was measured.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import psutil
import pytest

from icegp import config
from icegp.bench import dagrun
from icegp.demo import inputs, layout, synthetic
from icegp.gp.problem import Problem

REPO = Path(__file__).resolve().parents[1]
TINY_CONFIG = REPO / "tests" / "data" / "tiny" / "config.yaml"
DAYS = ["2019-04-14", "2019-04-15", "2019-04-16"]


def tiny_config() -> dict:
    """The workflow tests' config as the workflow resolves it: the demo's, the tiny overlay, defaults."""
    return config.load(REPO / "config" / "config.yaml", TINY_CONFIG)


def write_demo_days(root: Path, days=DAYS, cfg=None) -> dict:
    """Generate demo days under root with the same code the demo_inputs rule runs."""
    cfg = cfg or tiny_config()
    ocean = synthetic.OceanMask.build()
    cfg = {**cfg, "demo": {**cfg["demo"], "out": str(root)}}
    files = {}
    for day in days:
        f = layout.demo_files(cfg, day)
        out = SimpleNamespace(**f)
        inputs.write_day(
            day.replace("-", ""), cfg["demo"], layout.demo_beams(cfg), cfg["crs"], cfg["prediction"], ocean, out
        )
        files[day] = f
    return files


@pytest.fixture(scope="session")
def demo_days(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    return root, write_demo_days(root)


def rewrite(path, out, fn, **open_kwargs):
    """A copy of a netCDF file changed by `fn` (Dataset -> Dataset): a malformed file of the real format."""
    import xarray as xr

    with xr.open_dataset(path, decode_times=False, **open_kwargs) as ds:
        fn(ds.load()).to_netcdf(out)
    return str(out)


def copy_workflow(dest: Path) -> Path:
    """The workflow (as the bench copies it) plus the tests' data, in `dest`."""
    dagrun.copy_workflow(dest, REPO)
    shutil.copytree(REPO / "tests" / "data", dest / "tests" / "data")
    return dest


def snakemake_cmd(*args, cores=2) -> list:
    """The real snakemake CLI without a workflow profile, so runs are reproducible."""
    return [sys.executable, "-m", "snakemake", "--workflow-profile", "none", "--cores", str(cores), *args]


def snakemake_background(workdir: Path, *args, cores=2) -> subprocess.Popen:
    """Start snakemake in `workdir` in its own session (a test can kill it and its jobs as a group)."""
    return subprocess.Popen(
        snakemake_cmd(*args, cores=cores),
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def job_processes(proc, rule):
    """The processes of `rule`'s running jobs under snakemake `proc` (Snakemake runs a rule's script
    as .snakemake/scripts/tmp*.{script}.py); a process that ends while they are listed is not one."""
    found = []
    for p in psutil.Process(proc.pid).children(recursive=True):
        try:
            if any(f".{rule}.py" in a for a in p.cmdline()):
                found.append(p)
        except psutil.NoSuchProcess:
            continue
    return found


def snakemake(workdir: Path, *args, configfile=None, check=True, timeout=900):
    """Run the real snakemake CLI in `workdir` (no workflow profile, so runs are reproducible)."""
    cmd = snakemake_cmd(*args)
    if configfile is not None:
        cmd += ["--configfile", str(configfile)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


def dry_run_jobs(workdir: Path, *args, configfile=None) -> dict:
    """Job counts per rule of a dry run (`-n --quiet rules`)."""
    proc = snakemake(workdir, "-n", "--quiet", "rules", *args, configfile=configfile)
    counts = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] not in ("total", "job"):
            counts[parts[0]] = int(parts[1])
    return counts


def matern_problem(seed=0, n=150, noise=0.1):
    """A draw from a Matern-3/2 GP (150 km, 150 km, 2 days, variance 0.3) plus noise: an interior optimum."""
    rng = np.random.default_rng(seed)
    X = np.c_[rng.uniform(-3e5, 3e5, n), rng.uniform(-3e5, 3e5, n), rng.uniform(-1.5, 1.5, n)]
    r = np.sqrt(3.0 * (((X[:, None, :] - X[None, :, :]) / [150e3, 150e3, 2.0]) ** 2).sum(-1))
    K = 0.3 * (1 + r) * np.exp(-r) + 1e-9 * np.eye(n)
    y = np.linalg.cholesky(K) @ rng.normal(size=n) + rng.normal(0, noise, n)
    return Problem(7, np.zeros(3), X, y)


def compliance_failures(path, priority: str = "high") -> dict[str, list]:
    """The IOOS compliance-checker's failed checks of `priority` (high: CF's errors, ACDD's highly
    recommended attributes) for CF-1.8 and ACDD-1.3, by suite: {suite: [(check, messages), ...]}."""
    import json

    from compliance_checker.runner import CheckSuite, ComplianceChecker

    CheckSuite.load_all_available_checkers()
    report = Path(path).with_suffix(".compliance.json")
    ComplianceChecker.run_checker(
        str(path), ["cf:1.8", "acdd:1.3"], 0, "normal", output_filename=str(report), output_format="json"
    )
    results = json.loads(report.read_text())
    report.unlink()
    return {
        suite: [(r["name"], r["msgs"]) for r in res[f"{priority}_priorities"] if r["value"][0] < r["value"][1]]
        for suite, res in results.items()
    }


def most_common_region(codes, *, land=()) -> int:
    """The most common water code, ties to the smaller, 0 only when there is no other; -1 when
    every code is land."""
    water = codes[~np.isin(codes, land)]
    if water.size == 0:
        return -1
    named = pd.Series(water[water > 0])
    if named.empty:
        return 0
    counts = named.value_counts()
    return int(counts[counts == counts.max()].index.min())


def assert_timing_reads_the_dags_jobs(work: Path, *configfiles) -> None:
    """plan.benchmark_files (the timing report's inputs) is exactly the benchmark files the run wrote."""
    from icegp import config, plan

    made = {str(p.relative_to(work)) for p in (work / "benchmarks").rglob("*.tsv")}
    listed = plan.benchmark_files(config.load(work / "config" / "config.yaml", *configfiles))
    assert sorted(made - {"benchmarks/timing_report/all.tsv"}) == sorted(listed)
