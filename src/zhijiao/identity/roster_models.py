"""Roster import (名单导入) records and activation codes (开通码) for the accounts it opens.

Imported from ``identity/models.py`` so Django registers these models in the identity app.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhijiao.identity.models import Organisation, User

__all__ = ["ActivationCode", "RosterImport"]


class RosterImport(models.Model):
    """名单导入: one file imported by one administrator.

    The counts stay as a history; the activation slip (encrypted) and the list of row errors are
    downloads that only the importer may fetch, and only until ``downloads_expire_at``.
    """

    actor = models.ForeignKey(User, verbose_name=_("imported by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("imported"), default=timezone.now)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("accounts created"), default=0)
    existing = models.PositiveIntegerField(_("accounts already present"), default=0)
    memberships_added = models.PositiveIntegerField(_("memberships added"), default=0)
    organisations_created = models.PositiveIntegerField(_("grades and classes created"), default=0)
    guardians_linked = models.PositiveIntegerField(_("guardians linked"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # Header cells that named no known column, so the person can spot a misspelt optional column.
    ignored_columns = models.CharField(_("columns ignored"), max_length=500, blank=True)
    # JSON list of [line, field, message]; messages are in the importer's language at import time.
    errors_json = models.TextField(blank=True, editable=False)
    # AES-GCM ciphertext (core.crypto) of the slip rows; emptied once the downloads expire.
    slip_enc = models.TextField(blank=True, editable=False)
    downloads_expire_at = models.DateTimeField()

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        indexes = (models.Index(fields=["actor", "created_at"]),)

    def __str__(self):
        return self.file_name


class ActivationCode(models.Model):
    """开通码: a one-time code with which an imported person sets a first password.

    Only the SHA-256 of the code is kept: the code is random with about 50 bits of entropy, so a fast
    hash is enough, and the plain code exists only on the slip.
    """

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="activation")
    code_hash = models.CharField(max_length=64)
    roster_import = models.ForeignKey(RosterImport, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="activation_codes")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
