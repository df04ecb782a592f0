"""Deployment: settings, URLs, WSGI/ASGI entry points, the Celery apps and deployment configs.

Importing this package starts nothing: the trusted Celery app (deploy.celery) is loaded by the
repository app when Django starts, and the untrusted one (deploy.untrusted) configures no Django.
"""
