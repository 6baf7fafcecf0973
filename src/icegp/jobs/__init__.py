"""The job layer: one function per rule, named as the rule, which does all of the rule's reads and writes and calls the
pure core (tables and arrays in, tables and arrays out) for the rest.

The modules mirror workflow/rules/*.smk (demo, load, gp, product, chunks, season, report); every job function takes
keyword-only arguments named for the rule's inputs, outputs, params and wildcards, so a script is
one call and a test can run a job without Snakemake. This module holds what every script needs
first: logging (and a failed job's traceback) to the rule's log file, a SIGTERM that ends the job
cleanly, and the GP engine.
"""

from __future__ import annotations

import logging
import signal
import sys


def setup_logging(snakemake) -> logging.Logger:
    """Send logging, warnings and an uncaught exception's traceback to the job's log file, and to
    stderr so failures show in the run."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w"))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=handlers, force=True
    )
    logging.captureWarnings(True)
    log = logging.getLogger(f"icegp.{snakemake.rule}")
    sys.excepthook = failure_logger(log)
    signal.signal(signal.SIGTERM, terminator(log))
    return log


class Terminated(SystemExit):
    """SIGTERM (SLURM's time limit or preemption, then SIGKILL after a grace period): the job unwinds,
    so no temporary file is renamed into place, and exits 128 + 15."""


def terminator(log: logging.Logger):
    """A SIGTERM handler that says in the job's log that the job was terminated and raises
    Terminated. The job's finished work is already kept (a train or predict job's experts in its
    checkpoint, saved at most about a second apart: see icegp.jobs.gp.Checkpoint; a chunk's finished
    days), so the retry resumes from there; a second SIGTERM while unwinding is ignored."""

    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        log.error("terminated by SIGTERM (a time limit or preemption): finished work is kept for the retry")
        raise Terminated(128 + signal.SIGTERM)

    return handler


def failure_logger(log: logging.Logger):
    """An excepthook that writes an uncaught exception with its traceback through `log`, so a failed
    job's log file says why it failed (Snakemake shows the log's path in its error report)."""

    def hook(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("job failed: %s: %s", kind.__name__, value, exc_info=(kind, value, tb))

    return hook


def gp_engine(snakemake, training: dict, log: logging.Logger):
    """Set this job's device (before TensorFlow is imported) and build the configured GP engine.

    The device is read from the config, not from params, so that changing it re-runs nothing.
    """
    from icegp.gp import device
    from icegp.gp.engines import make_engine

    described, on_gpu = device.configure(
        snakemake.config["training"]["device"], snakemake.threads, snakemake.resources.get("gpu", 0)
    )
    log.info("device: %s", described)
    return make_engine(training, on_gpu)
