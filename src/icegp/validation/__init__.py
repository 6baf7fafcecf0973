"""Validation of a product: against a known truth (the demo) and by holding out whole tracks of
real observations."""
