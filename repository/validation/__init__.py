"""Validation: the checks a version goes through before it is published."""
