"""Helpers for the thin workflow scripts: logging to the rule's log file."""
from __future__ import annotations

import logging
import sys


def setup_logging(snakemake) -> logging.Logger:
    """Send logging (and warnings) to the job's log file, and to stderr so failures show in the run."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        handlers=handlers, force=True)
    logging.captureWarnings(True)
    return logging.getLogger(f"icegp.{snakemake.rule}")
