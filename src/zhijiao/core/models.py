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


class WordCategory(models.TextChoices):
    POLITICAL = "political", _("Political")
    PORNOGRAPHIC = "pornographic", _("Pornographic")
    VIOLENT = "violent", _("Violent")
    DISCRIMINATORY = "discriminatory", _("Discriminatory")
    ADVERTISING = "advertising", _("Advertising")
    OTHER = "other", _("Other")


class SensitiveWord(models.Model):
    """敏感词 sensitive word of the screening dictionary (edited by the security administrator).

    ``normalised`` is the form the automaton matches (zhijiao.core.screening.normalise); it is unique so
    the same word cannot be entered twice in different spellings.
    """

    word = models.CharField(_("word"), max_length=100)
    normalised = models.CharField(_("normalised form"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=WordCategory.choices, default=WordCategory.OTHER)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        "identity.User", verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")
        ordering = ["category", "normalised"]

    def __str__(self) -> str:
        return self.word


class SearchDocument(models.Model):
    """检索文档: one searchable thing (a resource, later a job posting…) as the search index holds it.

    The full-text index lives beside it: an FTS5 table ``core_search_fts`` on SQLite (rowid = id), a
    ``tsv`` tsvector column with a GIN index on PostgreSQL; both are written by zhijiao.core.search only.
    """

    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.CharField(_("object id"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text excerpt"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    facets = models.JSONField(_("facet values"), default=dict)
    # The same values as "name\x1fvalue" items joined by "\x1e": counted per query without JSON decoding.
    facet_text = models.TextField(_("facet values (packed)"), blank=True, default="")
    phrases = models.JSONField(_("suggestion phrases"), default=list)
    popularity = models.FloatField(_("popularity"), default=0)
    rating = models.FloatField(_("rating"), default=0)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="core_search_doc_unique")]
        indexes = [models.Index(fields=["kind", "-popularity"], name="core_search_doc_popular")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchPhrase(models.Model):
    """联想词: a phrase offered while typing, with its pinyin; ``weight`` counts the documents offering it."""

    kind = models.CharField(_("kind"), max_length=32)
    phrase = models.CharField(_("phrase"), max_length=100)
    pinyin = models.CharField(_("pinyin"), max_length=300)
    initials = models.CharField(_("pinyin initials"), max_length=100)
    weight = models.FloatField(_("weight"), default=0)

    class Meta:
        verbose_name = _("search suggestion")
        verbose_name_plural = _("search suggestions")
        constraints = [models.UniqueConstraint(fields=["kind", "phrase"], name="core_search_phrase_unique")]
        indexes = [
            models.Index(fields=["kind", "pinyin"], name="core_phrase_pinyin"),
            models.Index(fields=["kind", "initials"], name="core_phrase_initials"),
        ]
