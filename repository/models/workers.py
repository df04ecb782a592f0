"""When each worker was last seen doing its periodic work: what /readyz reads."""

from django.db import models


class WorkerBeat(models.Model):
    """One Celery worker (its hostname, `celery@host`) and the last time it was seen working.

    Trusted workers write it when they run the outbox flush (every 30 s from beat); untrusted
    workers cannot write to the database, so theirs is written when their order heartbeats
    arrive. A worker that stops is never deleted here: it just stops being recent.
    """

    hostname = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, default="trusted")
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname} ({self.kind}, seen {self.seen_at:%H:%M:%S})"
