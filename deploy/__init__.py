"""Deployment: settings, URLs, WSGI/ASGI entry points, the Celery app and deployment configs."""

from deploy.celery import app as celery_app

__all__ = ["celery_app"]
