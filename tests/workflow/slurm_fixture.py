"""A throw-away single-node SLURM cluster for the ``slurm``-marked tests.

Used by ``tests/workflow/test_slurm.py`` (``from slurm_fixture import slurm_cluster``); it is a
helper module, not a test file.  The ``slurm_cluster`` fixture (session scope):

* skips, with the reason, when the SLURM/munge binaries are missing (``.ci/slurm.sh`` installs
  the Debian packages ``slurm-wlm slurmctld slurmd slurm-client munge``; the fixture never
  installs anything), when not running as root, or when another slurmctld already holds port 6817;
* writes a minimal ``slurm.conf`` (no cgroups, no slurmdbd) into a temporary directory with
  ``CPUs`` = usable cores, ``RealMemory`` = MemTotal minus a margin, ``NodeName`` = ``hostname -s``;
* installs it as ``/etc/slurm/slurm.conf`` (an existing file is moved aside and restored):
  the jobstep plugin strips ``SLURM_CONF`` before its nested ``srun``, so the default path is
  the only one that works for real jobs (snakemake_notes.md section 4, workaround 1);
* starts ``munged``, ``slurmctld`` and ``slurmd`` in the foreground as child processes (so
  their PIDs are known), waits until ``sinfo`` reports the node ``idle``, yields a
  :class:`SlurmCluster`, then cancels leftover jobs, stops the three daemons by PID and removes
  the configuration.

``MinJobAge=600`` keeps finished jobs visible to ``squeue``; the profiles use
``slurm-status-command: squeue`` because ``sacct`` needs slurmdbd (workaround 2).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SYSTEM_CONF = Path("/etc/slurm/slurm.conf")
BACKUP_CONF = SYSTEM_CONF.with_name("slurm.conf.icegp-test-backup")
MARKER = "# written by icegp tests/slurm_fixture.py"
REQUIRED = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel", "scontrol")
START_TIMEOUT_S = 60


def missing_binaries() -> list[str]:
    return [b for b in REQUIRED if shutil.which(b) is None]


def skip_reason() -> str | None:
    """Why a local SLURM cluster cannot be started here, or None if it can."""
    missing = missing_binaries()
    if missing:
        return (
            f"SLURM/munge binaries not found: {', '.join(missing)} "
            "(install with `.ci/slurm.sh`, i.e. apt-get install slurm-wlm slurmctld slurmd "
            "slurm-client munge)"
        )
    if os.geteuid() != 0:
        return "starting slurmctld/slurmd and writing /etc/slurm/slurm.conf needs root"
    for port in (6817, 6818):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # like the daemons: ignore TIME_WAIT leftovers of an earlier session, fail on a listener
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                return f"port {port} is busy: another SLURM daemon seems to be running here"
    return None


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def real_memory_mb() -> int:
    """MemTotal minus a margin (10 %, at least 1 GiB) so slurmd never flags the node as INVAL."""
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                total = int(line.split()[1]) // 1024
                break
        else:  # pragma: no cover
            raise RuntimeError("MemTotal missing from /proc/meminfo")
    return max(256, total - max(1024, total // 10))


def short_hostname() -> str:
    return socket.gethostname().split(".")[0]


def slurm_conf_text(base: Path, node: str, cpus: int, mem_mb: int) -> str:
    return f"""{MARKER}; removed again when the test session ends
ClusterName=icegpci
SlurmctldHost={node}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={base}/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation={base}/state
SlurmdSpoolDir={base}/spool
SlurmctldPidFile={base}/slurmctld.pid
SlurmdPidFile={base}/slurmd.pid
SlurmctldLogFile={base}/log/slurmctld.log
SlurmdLogFile={base}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName={node} CPUs={cpus} RealMemory={mem_mb} State=UNKNOWN
PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


@dataclass
class SlurmCluster:
    base: Path
    node: str = field(default_factory=short_hostname)
    cpus: int = field(default_factory=usable_cpus)
    mem_mb: int = field(default_factory=real_memory_mb)
    procs: dict = field(default_factory=dict)
    _installed_conf: bool = False
    _created_etc_dir: bool = False
    _had_backup: bool = False
    _stopped: bool = False

    @property
    def conf(self) -> Path:
        return self.base / "slurm.conf"

    @property
    def logdir(self) -> Path:
        return self.base / "log"

    # -- start ---------------------------------------------------------------------------
    def start(self) -> None:
        for sub in ("state", "spool", "log", "munge"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        munge_dir = self.base / "munge"
        munge_dir.chmod(0o711)
        key = munge_dir / "munge.key"
        if Path("/etc/munge/munge.key").exists():
            shutil.copyfile("/etc/munge/munge.key", key)
        else:
            key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        self.conf.write_text(slurm_conf_text(self.base, self.node, self.cpus, self.mem_mb))
        self._install_conf()
        atexit.register(self.stop)

        self._spawn(
            "munged",
            [
                "munged",
                "--foreground",
                "--force",
                f"--key-file={key}",
                f"--socket={munge_dir / 'munge.socket'}",
                f"--pid-file={munge_dir / 'munged.pid'}",
                f"--log-file={self.logdir / 'munged.log'}",
                f"--seed-file={munge_dir / 'munged.seed'}",
            ],
        )
        self._wait_for(lambda: (munge_dir / "munge.socket").exists(), "munged socket")
        self._spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
        self._spawn("slurmd", ["slurmd", "-D", "-f", str(self.conf)])
        self._wait_for(self._node_idle, "sinfo to report the node idle")

    def _install_conf(self) -> None:
        etc = SYSTEM_CONF.parent
        if not etc.exists():
            etc.mkdir(parents=True)
            self._created_etc_dir = True
        if SYSTEM_CONF.exists() or SYSTEM_CONF.is_symlink():
            leftover = SYSTEM_CONF.is_file() and MARKER in SYSTEM_CONF.read_text(errors="replace")
            if leftover or BACKUP_CONF.exists():
                SYSTEM_CONF.unlink()  # ours, from a crashed earlier session
            else:
                SYSTEM_CONF.rename(BACKUP_CONF)
        self._had_backup = BACKUP_CONF.exists()
        shutil.copyfile(self.conf, SYSTEM_CONF)
        self._installed_conf = True

    def _spawn(self, name: str, argv: list[str]) -> None:
        out = open(self.logdir / f"{name}.stdout", "wb")
        self.procs[name] = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in pytest must not kill the daemons mid-teardown
            env={**os.environ, "SLURM_CONF": str(self.conf)},
        )
        out.close()

    def _node_idle(self) -> bool:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}\n{self.diagnostics()}")
        res = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
        return res.returncode == 0 and "idle" in res.stdout

    def _wait_for(self, predicate, what: str, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.25)
        raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}\n{self.diagnostics()}")

    def diagnostics(self) -> str:
        parts = []
        for f in sorted(self.logdir.glob("*")):
            text = f.read_text(errors="replace").splitlines()[-15:]
            parts.append(f"--- {f.name}\n" + "\n".join(text))
        return "\n".join(parts)

    # -- helpers for tests ---------------------------------------------------------------
    def squeue(self, *fmt_args: str) -> list[str]:
        res = subprocess.run(["squeue", "-h", "--states=all", *fmt_args], capture_output=True, text=True)
        return [ln for ln in res.stdout.splitlines() if ln.strip()]

    def active_job_ids(self) -> list[str]:
        return [
            ln.split()[0]
            for ln in self.squeue("-o", "%i %T")
            if ln.split()[1] in ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED")
        ]

    # -- stop ----------------------------------------------------------------------------
    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            if self.procs.get("slurmctld") and self.procs["slurmctld"].poll() is None:
                ids = self.active_job_ids()
                if ids:
                    subprocess.run(["scancel", *ids], capture_output=True)
                    deadline = time.monotonic() + 30
                    while self.active_job_ids() and time.monotonic() < deadline:
                        time.sleep(0.5)
        finally:
            for name in ("slurmd", "slurmctld", "munged"):
                proc = self.procs.get(name)
                if proc is None or proc.poll() is not None:
                    continue
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            self._restore_conf()

    def _restore_conf(self) -> None:
        if not self._installed_conf:
            return
        if SYSTEM_CONF.exists() and MARKER in SYSTEM_CONF.read_text(errors="replace"):
            SYSTEM_CONF.unlink()
        if BACKUP_CONF.exists() and not SYSTEM_CONF.exists():
            BACKUP_CONF.rename(SYSTEM_CONF)
        if self._created_etc_dir:
            try:
                SYSTEM_CONF.parent.rmdir()
            except OSError:
                pass
        self._installed_conf = False


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A running single-node SLURM (partition ``debug``); skipped when it cannot exist here."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    # short path: the munge socket path must stay under 108 characters
    cluster = SlurmCluster(base=tmp_path_factory.mktemp("slurm"))
    try:
        cluster.start()
    except Exception:
        cluster.stop()
        raise
    try:
        yield cluster
    finally:
        cluster.stop()
