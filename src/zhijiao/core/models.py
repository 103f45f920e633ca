"""Shared kernel data: the hash-chained audit log and the mail outbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit entries are append-only")

    def delete(self):
        raise PermissionError("audit entries are append-only; use zhijiao.core.audit.prune")


class AuditEntry(models.Model):
    """审计日志 audit entry. ``seq`` is gap-free; ``mac`` chains each entry to the one before it."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        "identity.User", verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    success = models.BooleanField(_("success"), default=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor", "at"]), models.Index(fields=["action", "at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


class AuditHead(models.Model):
    """One row: the newest sequence number and MAC, and where the retained chain begins after pruning.

    Locking this row serialises appends, so the chain never forks; comparing it with the newest entry
    reveals a deleted tail. ``head_mac`` covers the four values, so rewinding the head together with the
    tail needs the audit key too.
    """

    last_seq = models.BigIntegerField(default=0)
    last_mac = models.CharField(max_length=64, default="")
    base_seq = models.BigIntegerField(default=0)
    base_mac = models.CharField(max_length=64, default="")
    head_mac = models.CharField(max_length=64, default="")


class OutboxMessage(models.Model):
    """发件箱: every outgoing mail is kept here; the embedded default has no SMTP and operators read it."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    to = models.CharField(_("to"), max_length=500)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    sent_at = models.DateTimeField(_("sent via SMTP"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        ordering = ["-created_at"]
