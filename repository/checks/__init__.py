"""Checks run on deposited versions, as plain Python that a Celery task can call."""
