"""`python -m icegp.bench`: the benchmark command line (icegp.bench.cli)."""

from icegp.bench.cli import main

raise SystemExit(main())
