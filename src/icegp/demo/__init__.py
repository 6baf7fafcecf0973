"""The demo's synthetic Arctic (truth, ICESat-2-like tracks, SMOS/SMAP and SIC maps) and the job
that writes one day of it in the real input formats."""
