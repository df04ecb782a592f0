"""The server-rendered web interface."""
