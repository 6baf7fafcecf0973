"""The workflow report: figures (`maps`: how a map is drawn; `daily_maps`; `expert_maps`, their
status and hyperparameters; `season_figures`), the timing of every stage from Snakemake's benchmark
files, and the runs' accuracy/time trade-off."""
