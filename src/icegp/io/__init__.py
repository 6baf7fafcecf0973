"""Readers and writers of the input formats and the workflow's own tables."""
