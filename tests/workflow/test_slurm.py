"""The SLURM profiles against a real single-node SLURM (``-m slurm``) and a fake ``sbatch``.

* ``slurm``-marked tests start slurmctld/slurmd/munged through ``slurm_fixture.slurm_cluster``
  (skipped when the Debian packages are missing: ``.ci/slurm.sh`` installs them) and run a toy
  workflow (``tests/data/slurm_toy``, rule names as in the real DAG) with ``--profile
  profiles/slurm``: end to end, a ``scancel``-ed job retried without recomputing finished jobs, and
  a params change that re-submits only the invalidated job. If ``tests/data/tiny/config.yaml``
  exists, the real workflow runs locally and on SLURM and the products are compared.
* The fake-sbatch tests (no cluster needed) record the exact sbatch lines the profiles produce.

Everything runs in temporary copies; nothing is written into the repository.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from icegp import config as icegp_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from slurm_fixture import slurm_cluster  # noqa: E402,F401  (pytest fixture)

REPO = Path(__file__).resolve().parents[2]
TOY = REPO / "tests" / "data" / "slurm_toy"
TINY_CONFIG = REPO / "tests" / "data" / "tiny" / "config.yaml"
# poll SLURM every second instead of 5-40 s (the plugin still backs off +10 s per idle poll)
FAST_POLL = ["--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "1"]
RUN_TIMEOUT_S = 420


# -- helpers -----------------------------------------------------------------------------------
def copy_profiles(dst: Path, mem_cap_mb: int | None = None) -> None:
    """Copy profiles/ to dst/profiles; with mem_cap_mb, wrap every mem_mb as min(expr, cap).

    Keeps the profiles' structure (attempt scaling, groups, arrays) while making every request
    fit the CI node, whose RealMemory may be below the sizes meant for a real cluster.
    """
    shutil.copytree(REPO / "profiles", dst / "profiles", dirs_exist_ok=True)
    if mem_cap_mb is None:
        return
    for name in ("slurm", "slurm-gpu"):
        path = dst / "profiles" / name / "profile.yaml"
        prof = yaml.safe_load(path.read_text())
        tables = [prof.get("default-resources", {})] + list(prof.get("set-resources", {}).values())
        for table in tables:
            if "mem_mb" in table:
                table["mem_mb"] = f"min({table['mem_mb']}, {mem_cap_mb})"
        path.write_text(yaml.safe_dump(prof, sort_keys=False))


def copy_toy(dst: Path, **config) -> Path:
    shutil.copytree(TOY, dst, dirs_exist_ok=True)
    if config:
        cfg_path = dst / "config" / "config.yaml"
        cfg = yaml.safe_load(cfg_path.read_text())
        cfg.update(config)
        cfg_path.write_text(yaml.safe_dump(cfg))
    return dst


def smk(args: list[str], cwd: Path, env: dict | None = None, timeout: int = RUN_TIMEOUT_S):
    t0 = time.monotonic()
    res = subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    res.wall_s = time.monotonic() - t0
    res.output = res.stdout + res.stderr
    return res


def slurm_logs(workdir: Path) -> dict[str, list[Path]]:
    """{'rule_train': [...], 'group_load_...': [...]} of SLURM job logs (kept by the profile)."""
    root = workdir / ".snakemake" / "slurm_logs"
    out: dict[str, list[Path]] = {}
    for log in sorted(root.rglob("*.log")):
        out.setdefault(log.relative_to(root).parts[0], []).append(log)
    return out


def n_logs(logs: dict[str, list[Path]], prefix: str) -> int:
    return sum(len(v) for k, v in logs.items() if k.startswith(prefix))


def submitted_count(output: str) -> int:
    """SLURM submissions reported by the plugin (a whole array counts once per task)."""
    plain = len(re.findall(r"has been submitted with SLURM jobid", output))
    arrays = sum(
        int(b) - int(a) + 1 for a, b in re.findall(r"Submitted array job .*? task IDs are (\d+)-(\d+)", output)
    )
    return plain + arrays


def dry_run_jobs(output: str) -> dict[str, int]:
    """The `job count` table of `snakemake -n`."""
    counts = {}
    for line in output.splitlines():
        m = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if m and m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


def slurm_cli(cluster, profile: str = "profiles/slurm") -> list[str]:
    # --cores caps threads and group-job CPU requests at the node size (else they stay PENDING)
    return ["--profile", profile, "--cores", str(cluster.cpus), *FAST_POLL]


def write_fake_slurm(bindir: Path) -> dict:
    """sbatch that logs its argv and answers a job id; squeue reports every job FAILED."""
    bindir.mkdir(parents=True, exist_ok=True)
    scripts = {
        # the plugin submits from 2 threads: serialise with flock, write each line in one go
        "sbatch": """#!/bin/bash
exec 9>>"$FAKE_SLURM_LOG.lock"; command -v flock >/dev/null && flock 9
n=$(( $(wc -l < "$FAKE_SLURM_LOG.ids" 2>/dev/null || echo 0) + 1000 ))
line="sbatch"; for a in "$@"; do line+=" $(printf '%q' "$a")"; done
printf '%s\n' "$line" >> "$FAKE_SLURM_LOG"; echo "$n" >> "$FAKE_SLURM_LOG.ids"; echo "$n"
""",
        "squeue": """#!/bin/bash
for i in $(cat "$FAKE_SLURM_LOG.ids" 2>/dev/null); do echo "$i|FAILED"; done
""",
        "scontrol": '#!/bin/bash\necho "MinJobAge               = 600 sec"\n',
        "sinfo": "#!/bin/bash\nexit 0\n",
        "scancel": "#!/bin/bash\nexit 0\n",
        "sacct": "#!/bin/bash\nexit 1\n",
        "sacctmgr": "#!/bin/bash\nexit 1\n",
        "sshare": "#!/bin/bash\nexit 1\n",
    }
    for name, text in scripts.items():
        p = bindir / name
        p.write_text(text)
        p.chmod(p.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    log = bindir / "sbatch.log"
    return {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "FAKE_SLURM_LOG": str(log)}


def fake_sbatch_lines(env: dict) -> list[str]:
    path = Path(env["FAKE_SLURM_LOG"])
    return path.read_text().splitlines() if path.exists() else []


def sbatch_head(line: str) -> str:
    """The sbatch options, without the long --wrap payload."""
    return line.split(" --wrap=")[0]


# -- fake sbatch: what the profiles submit (no cluster needed) ----------------------------------
def test_profiles_are_commented_yaml():
    for name in ("default", "slurm", "slurm-gpu"):
        text = (REPO / "profiles" / name / "profile.yaml").read_text()
        prof = yaml.safe_load(text)
        assert isinstance(prof, dict) and prof
        for line in text.splitlines():
            if re.match(r"^\s*[\w-]+:\s*\S", line):  # a key with a value on the line
                assert "#" in line, f"profiles/{name}: uncommented entry {line!r}"
    default = yaml.safe_load((REPO / "profiles/default/profile.yaml").read_text())
    # a workflow profile overrides --profile key by key: these would clobber the cluster profiles
    for key in ("default-resources", "set-resources", "set-threads", "groups", "latency-wait"):
        assert key not in default, key


def submit_and_stop(args: list[str], cwd: Path, env: dict, n_sbatch: int, timeout: float = 120):
    """Run snakemake against the fake SLURM until n_sbatch sbatch calls are logged, then SIGINT it
    (a plain run would also stop, the fake squeue says FAILED, but only after an 11 s poll back-off)."""
    log = Path(env["FAKE_SLURM_LOG"])
    t0 = time.monotonic()
    with open(cwd / "fake_run.out", "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "snakemake", *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            while proc.poll() is None and time.monotonic() - t0 < timeout:
                if len(fake_sbatch_lines(env)) >= n_sbatch:
                    time.sleep(0.5)  # let the plugin log the call it made
                    proc.send_signal(signal.SIGINT)
                    break
                time.sleep(0.2)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert log.exists(), (cwd / "fake_run.out").read_text()[-3000:]
    return (cwd / "fake_run.out").read_text()


def test_gpu_profile_sbatch_line(tmp_path):
    """The sbatch call of a GPU train shard, via --verbose and a fake sbatch.

    Runs with the implicit workflow profile (profiles/default) like a user would, so it also
    proves that profiles/default does not drop the cluster profile's resources.
    """
    work = copy_toy(tmp_path / "toy")
    copy_profiles(work)
    env = write_fake_slurm(tmp_path / "fakebin")
    # 1) the first submission is the grouped per-day load job (CPU partition)
    out = submit_and_stop(["--profile", "profiles/slurm-gpu", "--retries", "0", *FAST_POLL], work, env, 1)
    assert "workflow specific profile profiles/default" in out
    lines = fake_sbatch_lines(env)
    assert len(lines) == 1, lines
    group = sbatch_head(lines[0])
    assert "--comment rule_load_demo_inputs_load_day" in group
    assert " -p debug " in group  # default-resources of profiles/slurm-gpu survive profiles/default
    assert "--cpus-per-task=2" in group  # 2 per-day components in parallel
    assert "--gpus" not in group

    # 2) inputs of train made locally, then each GPU shard is submitted on its own
    shutil.rmtree(work / ".snakemake")
    res = smk(["--cores", "2", "--workflow-profile", "none", "--until", "load_day"], work)
    assert res.returncode == 0, res.output[-3000:]
    out = submit_and_stop(["--profile", "profiles/slurm-gpu", "--retries", "0", "--verbose", *FAST_POLL], work, env, 3)
    train = [ln for ln in fake_sbatch_lines(env)[1:] if "--comment rule_train" in ln]
    assert len(train) == 2, fake_sbatch_lines(env)
    for line in train:
        head = sbatch_head(line)
        # --mem 200 is the toy train rule's own: the profile leaves a GP job's memory to the workflow
        for flag in ("-p gpu", "--gpus=1", "--cpus-per-gpu=4", "--ntasks-per-gpu=1", "-t 60", "--mem 200"):
            assert flag in head, (flag, head)
        assert "--cpus-per-task" not in head and "--array" not in head
        assert "slurm-jobstep" in line
        assert "--set-threads" in line  # train: 4 from the profile reaches the job
    calls = re.findall(r"sbatch call: (sbatch .*)", out)
    shard0 = [c for c in calls if "--comment rule_train_wildcards_0" in c]
    assert shard0, out[-3000:]
    print("GPU train sbatch (verbatim from --verbose):", shard0[0])


# -- a real single-node SLURM: the toy workflow ---------------------------------------------------
@pytest.fixture(scope="module")
def toy_slurm(slurm_cluster, tmp_path_factory):
    """Runs the toy locally and through SLURM; scancels the first train task once its script runs."""
    cluster = slurm_cluster
    base = tmp_path_factory.mktemp("toy")

    local = copy_toy(base / "local", train_sleep=4)
    ref = smk(["--cores", str(cluster.cpus), "--workflow-profile", "none"], local)
    assert ref.returncode == 0, ref.output[-3000:]

    work = copy_toy(base / "slurm", train_sleep=4)
    copy_profiles(work, mem_cap_mb=max(200, cluster.mem_mb // (2 * cluster.cpus)))
    cmd = [sys.executable, "-m", "snakemake", *slurm_cli(cluster), "--workflow-profile", "none"]
    out_path = base / "slurm.out"
    cancelled = {}
    t0 = time.monotonic()
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT)
        try:
            while proc.poll() is None:
                if time.monotonic() - t0 > RUN_TIMEOUT_S:
                    raise TimeoutError(f"toy run exceeded {RUN_TIMEOUT_S}s")
                if not cancelled:
                    running = [
                        ln.split()
                        for ln in cluster.squeue("-o", "%i %T %k")
                        if ln.split()[1] == "RUNNING" and "rule_train" in ln
                    ]
                    if len(running) == 1:
                        jobid, _, comment = running[0]
                        shard = comment.rsplit("_", 1)[-1]  # rule_train_wildcards_<shard>
                        # cancel once the train script itself runs (it writes its log first)
                        if (work / "logs" / "train" / f"{shard}.log").exists():
                            before = {p: p.stat().st_mtime_ns for p in (work / "results" / "obs").glob("*")}
                            subprocess.run(["scancel", jobid], check=True)
                            cancelled = {"jobid": jobid, "shard": shard, "obs_mtimes": before}
                time.sleep(0.3)
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
    wall = time.monotonic() - t0
    return {
        "cluster": cluster,
        "work": work,
        "local": local,
        "local_wall_s": ref.wall_s,
        "rc": proc.returncode,
        "output": out_path.read_text(),
        "wall_s": wall,
        "cancelled": cancelled,
    }


@pytest.mark.slurm
def test_toy_runs_end_to_end_on_slurm(toy_slurm):
    r = toy_slurm
    assert r["rc"] == 0, r["output"][-4000:]
    work = r["work"]
    print(f"toy wall time: local {r['local_wall_s']:.1f}s, SLURM {r['wall_s']:.1f}s")
    # same product as the local run
    assert (work / "results/product.txt").read_text() == (r["local"] / "results/product.txt").read_text()
    logs = slurm_logs(work)
    # the per-day jobs went through SLURM as ONE group job; one sbatch per train shard; predict alone
    assert n_logs(logs, "group_load") == 1, logs
    assert n_logs(logs, "rule_predict") == 1, logs
    assert {p.parent.name for p in logs["rule_train"]} == {"0", "1"}, logs
    for obs in (work / "results/obs").glob("*.txt"):
        assert re.search(r"job=\d+", obs.read_text()), "load job did not run inside SLURM"
    # threads -> --cpus-per-task reached the job
    train_log = (work / "logs/train/1.log").read_text()
    assert "threads=2" in train_log and "OMP_NUM_THREADS=2" in train_log
    cpus = {ln.split()[1] for ln in r["cluster"].squeue("-o", "%i %C %k") if "rule_train" in ln}
    assert cpus == {"2"}, cpus  # --cpus-per-task=2 reached SLURM


@pytest.mark.slurm
def test_scancelled_job_is_retried_and_finished_jobs_are_not_rerun(toy_slurm):
    r = toy_slurm
    assert r["rc"] == 0, r["output"][-4000:]
    c = r["cancelled"]
    assert c, "no train task was seen RUNNING to cancel"
    states = dict(ln.split()[:2] for ln in r["cluster"].squeue("-o", "%i %T"))
    assert states[c["jobid"]] == "CANCELLED"
    assert "Trying to restart job" in r["output"]
    work = r["work"]
    logs = slurm_logs(work)
    # 2 shards + exactly 1 resubmission of the cancelled one; the other shard and upstream ran once
    train_logs = [p.parent.name for p in logs["rule_train"]]
    assert sorted(train_logs) == sorted(["0", "1", c["shard"]]), logs
    assert n_logs(logs, "group_load") == 1, logs
    assert submitted_count(r["output"]) == 1 + 2 + 1 + 1  # group, 2 shards, retry, predict
    retry_log = work / f"logs/train/{c['shard']}.log"
    assert "done" in retry_log.read_text()
    assert (work / f"results/shards/{c['shard']}.txt").exists()
    after = {p: p.stat().st_mtime_ns for p in c["obs_mtimes"]}
    assert after == c["obs_mtimes"], "finished per-day outputs were rewritten"


@pytest.mark.slurm
def test_params_change_resubmits_only_invalidated_job(toy_slurm):
    r = toy_slurm
    assert r["rc"] == 0, r["output"][-4000:]
    work, cluster = r["work"], r["cluster"]
    # a re-invocation has nothing to do
    dry = smk([*slurm_cli(cluster), "--workflow-profile", "none", "-n"], work, timeout=120)
    assert "Nothing to be done" in dry.output, dry.output[-2000:]

    cfg_path = work / "config/config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["scale"] = 3.0
    cfg_path.write_text(yaml.safe_dump(cfg))
    dry = smk([*slurm_cli(cluster), "--workflow-profile", "none", "-n"], work, timeout=120)
    assert dry_run_jobs(dry.output) == {"predict": 1, "all": 1}, dry.output[-2000:]
    assert "Params have changed since last execution" in dry.output

    before = {k: len(v) for k, v in slurm_logs(work).items()}
    res = smk([*slurm_cli(cluster), "--workflow-profile", "none"], work)
    assert res.returncode == 0, res.output[-4000:]
    print(f"params-change rerun on SLURM: {res.wall_s:.1f}s")
    after = {k: len(v) for k, v in slurm_logs(work).items()}
    new = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert new == {"rule_predict": 1}, new
    assert submitted_count(res.output) == 1
    expected = 3.0 * sum((s + 1) * 1.5 for s in range(2))
    assert float((work / "results/product.txt").read_text()) == pytest.approx(expected)


# -- a real single-node SLURM: the real workflow on its tiny config -----------------------------
def copy_repo(dst: Path) -> Path:
    skip = shutil.ignore_patterns(
        ".git", ".snakemake", "results", "resources", "logs", "benchmarks", "__pycache__", "*.egg-info"
    )
    dst.mkdir(parents=True)
    for name in ("Snakefile", "workflow", "config", "envs", "profiles", "tests"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=skip)
        elif src.exists():
            shutil.copy2(src, dst / name)
    return dst


def main_variable(ds, config: dict) -> str:
    name = config.get("variable")
    if name in ds.data_vars:
        return name
    floats = [v for v in ds.data_vars if ds[v].dtype.kind == "f"]
    assert floats, f"no float variable in {list(ds.data_vars)}"
    return floats[0]


@pytest.mark.slurm
def test_tiny_config_on_slurm_matches_local(request, tmp_path):
    """The real workflow on the tiny config: ~30 s locally, ~200 s through SLURM (mostly polling)."""
    import numpy as np
    import xarray as xr

    cluster = request.getfixturevalue("slurm_cluster")
    cfg = icegp_config.load(REPO / "config/config.yaml", TINY_CONFIG)  # resolved: the defaults too
    tiny = ["--configfile", "tests/data/tiny/config.yaml"]

    local = copy_repo(tmp_path / "local")
    ref = smk(["--cores", str(cluster.cpus), "--workflow-profile", "none", *tiny], local, timeout=900)
    assert ref.returncode == 0, ref.output[-4000:]

    work = copy_repo(tmp_path / "slurm")
    copy_profiles(work, mem_cap_mb=max(500, cluster.mem_mb // cluster.cpus))
    # as documented: `snakemake --profile profiles/slurm` (profiles/default applies implicitly)
    res = smk([*slurm_cli(cluster), *tiny], work, timeout=900)
    assert res.returncode == 0, res.output[-4000:]
    print(f"tiny config wall time: local {ref.wall_s:.1f}s, SLURM {res.wall_s:.1f}s")
    assert submitted_count(res.output) > 0

    for target in cfg["targets"]:
        rel = f"results/{target}/product.nc"
        with xr.open_dataset(local / rel) as a, xr.open_dataset(work / rel) as b:
            var = main_variable(a, cfg)
            x, y = a[var].values, b[var].values
            assert x.shape == y.shape
            assert np.allclose(x, y, rtol=1e-6, atol=1e-6, equal_nan=True), (
                f"{rel}:{var} differs: max abs diff {np.nanmax(np.abs(x - y))}"
            )
