"""Remixbank's Django app: models, actions, domain packages, the site, the API and the Celery tasks."""
