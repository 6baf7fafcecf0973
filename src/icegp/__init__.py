"""icegp: daily sea-ice maps from sparse satellite tracks by Gaussian-process local experts, as a
Snakemake workflow; this package is its library (the stages' code, the jobs and the benchmarks)."""

from importlib.metadata import version

__version__ = version("icegp")
