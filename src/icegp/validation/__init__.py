"""Validation of a product: against a known truth (the demo), by holding out whole tracks of real
observations, and against other gridded products (compare)."""
