"""Management commands of the repository app."""
