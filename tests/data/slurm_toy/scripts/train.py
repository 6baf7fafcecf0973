# Toy "training": sleeps (so a test can scancel it mid-run) and writes a deterministic value.
import os
import sys
import time

sys.stderr = open(snakemake.log[0], "w")
shard = int(snakemake.wildcards.shard)
time.sleep(float(snakemake.params.sleep))
value = (shard + 1) * float(snakemake.params.lengthscale)
with open(snakemake.output[0], "w") as fh:
    fh.write(f"{value}\n")
print(
    f"shard={shard} threads={snakemake.threads} OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')} "
    f"SLURM_JOB_ID={os.environ.get('SLURM_JOB_ID', 'local')} SLURM_CPUS_PER_TASK={os.environ.get('SLURM_CPUS_PER_TASK')}",
    file=sys.stderr,
)
