"""The workflow report: figures (maps, expert and hyperparameter diagnostics, season plots), the
timing of every stage from Snakemake's benchmark files, and the runs' accuracy/time trade-off."""
