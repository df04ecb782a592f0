"""The outbox: Celery messages recorded in the transaction that asks for them, sent after commit."""

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """One task to send to the broker (repository/queue.py writes, sends and re-sends these).

    Written with the change that needs it, so a committed version always has its validation on
    record even when the broker is down; sent on commit, or later by `flush_outbox`. Kept for a
    while after sending so the stall reaper can tell a message in flight from a lost one.
    """

    task = models.CharField(max_length=100, help_text="a task name in repository.tasks")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=40, blank=True, help_text="empty: the task's route")
    created_at = models.DateTimeField(auto_now_add=True)
    # While in the future, one sender holds the message and nobody else sends it.
    leased_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    request_id = models.CharField(
        max_length=128, blank=True, help_text="the id of the request or task that queued it"
    )

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at=None), name="outbox_unsent"),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
