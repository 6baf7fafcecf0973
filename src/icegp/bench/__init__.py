"""Benchmark tools, apart from the library: `python -m icegp.bench` (the seed's workload, seasons,
the GPU), and running the workflow in a fresh working copy (dagrun). Nothing in icegp imports them."""
