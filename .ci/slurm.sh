#!/usr/bin/env bash
# Install a single-node SLURM + munge from the Debian/Ubuntu packages for the `slurm` tests
# (tests/workflow/test_slurm.py starts and stops the daemons itself). Never fails the CI: without the
# packages those tests skip and say why.
set -u
PKGS="slurm-wlm slurmctld slurmd slurm-client munge"

if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
   && command -v sbatch >/dev/null; then
    echo "slurm.sh: SLURM and munge already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "slurm.sh: no apt-get here; SLURM tests will skip"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "slurm.sh: not root and no passwordless sudo; SLURM tests will skip"
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $PKGS; then
    echo "slurm.sh: installed $(slurmctld -V 2>/dev/null || echo slurm), munge $(munged -V 2>/dev/null | head -1)"
else
    echo "slurm.sh: installing $PKGS failed; SLURM tests will skip"
fi
exit 0
