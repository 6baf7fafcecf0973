"""CPU or GPU: a job that asks for a GPU but has none runs on CPU, says so, and ties TF to its threads."""

import subprocess
import sys

PROBE = """
import logging, os, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(levelname)s %(message)s")
from icegp.gp import device
described, on_gpu = device.configure(sys.argv[1], 3, int(sys.argv[2]))
print("DESCRIBED", described, "ON_GPU", on_gpu, "CUDA", repr(os.environ.get("CUDA_VISIBLE_DEVICES")))
print("TF_LOADED", "tensorflow" in sys.modules)
if sys.argv[3] == "tf":
    tf = device.tensorflow()
    print("INTRA", tf.config.threading.get_intra_op_parallelism_threads(),
          "INTER", tf.config.threading.get_inter_op_parallelism_threads())
"""


def probe(device, granted, tf):
    env_clean = {k: v for k, v in __import__("os").environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, device, str(granted), tf],
        capture_output=True,
        text=True,
        env={**env_clean, "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_gpu_granted_but_not_visible_falls_back_to_cpu_with_warning():
    out = probe("gpu", 1, "tf")
    assert "TensorFlow sees no GPU" in out and "running on CPU" in out
    assert "ON_GPU False" in out and "DESCRIBED cpu (3 threads" in out
    assert "INTRA 3 INTER 1" in out


def test_cpu_job_ties_tensorflow_threads_when_it_needs_tensorflow():
    out = probe("cpu", 0, "tf")
    assert "TF_LOADED False" in out  # configure itself does not pay TensorFlow's start-up on CPU
    assert "INTRA 3 INTER 1" in out


def test_gpu_asked_but_not_granted_hides_devices():
    out = probe("gpu", 0, "none")
    assert "granted no GPU" in out and "CUDA ''" in out and "ON_GPU False" in out


def test_cpu_jobs_do_not_warn():
    out = probe("cpu", 0, "none")
    assert "WARNING" not in out and "ON_GPU False" in out
