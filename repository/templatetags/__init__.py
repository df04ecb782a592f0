"""Template tags of the repository app."""
