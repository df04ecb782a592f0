"""The REST API (/api/v1/) for institutions' own systems."""
