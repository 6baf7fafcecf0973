"""Choose CPU or GPU for a train/predict job and tie TensorFlow's thread pools to the job's threads.

Must run before TensorFlow is imported: Snakemake sets OMP/MKL threads but not TensorFlow's pools,
which otherwise take every core of the machine.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


def wants_gpu(device: str, gpu_resource) -> bool:
    """A job may use a GPU only if the config asks for one and the scheduler granted one."""
    return device in ("gpu", "auto") and int(gpu_resource or 0) > 0


def configure(device: str, threads: int, gpu_resource=0) -> tuple[str, bool]:
    """Set the environment for this job; return a description of its device and whether a GPU is in use.

    A job runs on a GPU only when the config asks for one, the scheduler granted one (SLURM then sets
    CUDA_VISIBLE_DEVICES to it) and TensorFlow sees it; otherwise it runs on CPU, with a warning if a
    GPU was asked for. TensorFlow is imported here only to look for a GPU: a CPU job that never needs
    it (the LAPACK path) never pays its start-up.
    """
    threads = max(int(threads), 1)
    use_gpu = wants_gpu(device, gpu_resource)
    if not use_gpu:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))
    os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    if device == "gpu" and not use_gpu:
        log.warning(
            "device: gpu was asked for but this job was granted no GPU (resources gpu=%s); running on CPU", gpu_resource
        )
    if not use_gpu:
        return f"cpu ({threads} threads)", False
    gpus = tensorflow().config.list_physical_devices("GPU")
    if not gpus:
        log.warning(
            "device: %s but TensorFlow sees no GPU (CUDA_VISIBLE_DEVICES=%r); running on CPU",
            device,
            os.environ.get("CUDA_VISIBLE_DEVICES"),
        )
        return f"cpu ({threads} threads)", False
    return f"gpu {gpus[0].name} (CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r})", True


def tensorflow():
    """Import TensorFlow with its thread pools tied to the job's threads (see :func:`configure`)."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(os.environ.get("TF_NUM_INTRAOP_THREADS", 0)))
        tf.config.threading.set_inter_op_parallelism_threads(int(os.environ.get("TF_NUM_INTEROP_THREADS", 0)))
    except RuntimeError:
        pass  # TensorFlow already ran an op: its pools are fixed (to the same environment values)
    return tf


def peak_memory_mb() -> float | None:
    """This process's peak GPU memory in MB, or None where it has not run TensorFlow on a GPU."""
    if "tensorflow" not in sys.modules:
        return None
    tf = tensorflow()
    if not tf.config.list_physical_devices("GPU"):
        return None
    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
