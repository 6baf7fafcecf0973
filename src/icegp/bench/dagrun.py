"""Running the workflow in a fresh working copy, for benchmarks and the trade-off: copy it, overlay
a config, run Snakemake, and read back its results and benchmark files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

from icegp import plan
from icegp.experts import selection
from icegp.report.timing import collect_under, summarise
from icegp.util.time_window import TimeWindow


def copy_workflow(dest: Path, src: Path = Path(".")) -> Path:
    """A fresh working copy of the workflow (Snakefile, rules, scripts, config, envs) in `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "workflow", "config", "envs"):
        target = dest / name
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        if (src / name).is_dir():
            shutil.copytree(src / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src / name, target)
    return dest


#: What a DAG run writes (the inputs under resources/ are kept).
OUTPUTS = (plan.RESULTS, plan.BENCHMARKS, plan.LOGS)
FRESH = (*OUTPUTS, "resources", ".snakemake")


def run_dag(workdir: Path, overlay: dict, cores: int, presets=(), targets=(), clean=FRESH) -> float:
    """A demo run in `workdir` (the `clean` folders removed first): config/config.yaml, then `presets`,
    then `overlay`; wall seconds."""
    for sub in clean:
        shutil.rmtree(workdir / sub, ignore_errors=True)
    copy_workflow(workdir)
    (workdir / "overlay.yaml").write_text(yaml.safe_dump(overlay))
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--workflow-profile",
        "none",
        "--cores",
        str(cores),
        "--configfile",
        "config/config.yaml",
        *presets,
        "overlay.yaml",
        *(["--", *targets] if targets else []),
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"demo run in {workdir} failed:\n{proc.stderr[-3000:]}")
    return wall


def problems_for(workdir: Path, *, window: TimeWindow, training: dict):
    """The experts of the window's target in `workdir` and each one's GP problem."""
    obs = pd.read_parquet(workdir / plan.fill(plan.OBSERVATIONS, root=plan.RESULTS, target=window.target))
    experts = pd.read_parquet(workdir / plan.fill(plan.EXPERTS, root=plan.RESULTS, target=window.target))
    local = selection.LocalData(obs)
    radius = training["training_radius"]
    return experts, [local.problem(e, radius, window.half_width) for e in experts.itertuples(index=False)]


def train_files(workdir: Path, day: str) -> list[Path]:
    """A day's train shard tables in `workdir`, in shard order of their names."""
    return sorted(workdir.glob(plan.fill(plan.TRAIN, root=plan.RESULTS, target=day, shard="*")))


def stage_table(workdir: Path) -> pd.DataFrame:
    return summarise(collect_under(workdir / plan.BENCHMARKS))


def record(rows: dict, path: Path) -> None:
    stamp = pd.Timestamp.now("UTC").isoformat(timespec="seconds")
    df = pd.DataFrame({"run": stamp, "metric": list(rows), "value": list(rows.values())})
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, sep="\t", index=False, mode="a", header=not path.exists())
