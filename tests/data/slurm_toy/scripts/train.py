# Toy "training": announces itself in its log (so a test can scancel it mid-run), sleeps, and
# writes a deterministic value.
import os
import sys
import time

sys.stderr = open(snakemake.log[0], "w", buffering=1)
shard = int(snakemake.wildcards.shard)
print(
    f"start shard={shard} threads={snakemake.threads} "
    f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')} "
    f"SLURM_JOB_ID={os.environ.get('SLURM_JOB_ID', 'local')} "
    f"SLURM_ARRAY_TASK_ID={os.environ.get('SLURM_ARRAY_TASK_ID')}",
    file=sys.stderr,
)
time.sleep(float(snakemake.params.sleep))
with open(snakemake.output[0], "w") as fh:
    fh.write(f"{(shard + 1) * float(snakemake.params.lengthscale)}\n")
print("done", file=sys.stderr)
