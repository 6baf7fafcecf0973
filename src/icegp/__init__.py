"""icegp."""
