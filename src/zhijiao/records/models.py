"""Learning record store data (学习记录): xAPI statements, their query indexes, documents, credentials.

Statements are append-only: the full statement as stored sits in ``data``, and the columns beside it
exist only so the query filters of xAPI 1.0.3 and the cockpit's reads are index scans. On PostgreSQL the
statement table is partitioned by month of ``stored`` (migration 0002); a partitioned table cannot hold
a unique index on ``statement_id`` alone, so :class:`StatementKey` is the one place where a statement id
is unique, which makes de-duplication exact under concurrent writers on either database.

Columns holding IRIs or agent identifiers keep the value itself when it is short and a digest of it
otherwise (see ``records.indexing.index_key``), so a huge IRI never breaks a B-tree index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Credential(models.Model):
    """LRS 凭据: a key/secret pair (HTTP Basic) that one connected platform or tool uses to talk xAPI.

    The secret is 32 random bytes shown once at issue; only its SHA-256 is kept. A slow password hash
    would buy nothing against a secret of that entropy and would cost milliseconds on every request.
    """

    SCOPE_WRITE = "write"
    SCOPE_READ_OWN = "read_own"
    SCOPE_READ_ALL = "read_all"
    SCOPES = (SCOPE_WRITE, SCOPE_READ_OWN, SCOPE_READ_ALL)

    key = models.CharField(_("key"), max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "identity.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("LRS credential")  # LRS 凭据
        verbose_name_plural = _("LRS credentials")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Statement(models.Model):
    """学习记录语句: one xAPI statement exactly as stored (``data``), with indexed copies of what queries filter on.

    ``seq`` is the ingest order. ``voided`` is the only column that ever changes after insert, set when a
    voiding statement naming this one arrives. ``client_address`` and ``user_agent`` are kept for
    statements a browser posted with a session, beside the statement and never inside it.
    """

    seq = models.BigAutoField(primary_key=True)
    statement_id = models.UUIDField(_("statement id"))
    stored = models.DateTimeField(_("stored"))
    timestamp = models.DateTimeField(_("timestamp"))
    actor_key = models.CharField(_("actor"), max_length=255)
    # Resolved at ingest when the actor is one of our accounts; no database constraint, so the statement
    # table stays append-only and bulk inserts do not pay a foreign-key check per row.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        db_index=False, related_name="+",
    )
    verb_id = models.CharField(_("verb"), max_length=255)
    object_id = models.CharField(_("object"), max_length=255)
    registration = models.UUIDField(_("registration"), null=True, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    # The statement id a StatementRef object points at (voiding statements included).
    ref_target = models.UUIDField(null=True, blank=True)
    data = models.JSONField(_("statement"))
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("statement")  # 语句
        verbose_name_plural = _("statements")
        indexes = [
            models.Index(fields=["stored", "seq"], name="stmt_stored"),
            models.Index(fields=["verb_id", "stored"], name="stmt_verb_stored"),
            models.Index(fields=["registration", "stored"], name="stmt_registration_stored",
                         condition=models.Q(registration__isnull=False)),
            models.Index(fields=["credential", "stored"], name="stmt_credential_stored",
                         condition=models.Q(credential__isnull=False)),
        ]

    def __str__(self):
        return str(self.statement_id)


class StatementKey(models.Model):
    """The unique register of statement ids: inserting here first is what makes ingest idempotent."""

    statement_id = models.UUIDField(primary_key=True)
    seq = models.BigIntegerField()
    stored = models.DateTimeField()

    class Meta:
        verbose_name = _("statement id")


class IndexTerm(models.Model):
    """The dictionary of query terms: every agent, activity, verb and registration key the index holds,
    each once, under a 64-bit id, so the rows of :class:`StatementTerm` are four integers wide.

    The id of a term is normally its 64-bit BLAKE2b digest (``records.indexing.term_hash``), which every
    process computes without asking the database; the rare term whose digest another term already holds
    takes the next free id, and this table is what tells it apart. A term absent from the table (its
    insert was rolled back while a process still remembered it) is looked up under its digest.
    """

    id = models.BigIntegerField(primary_key=True)
    term = models.CharField(max_length=260, unique=True)

    class Meta:
        verbose_name = _("query term")


class StatementTerm(models.Model):
    """What the agent and activity filters look up: one row per (term, verb) a statement answers to.

    A term is ``"A " + agent key`` for every agent or identified group the statement mentions, ``"O " +
    activity key`` for every activity; ``direct`` marks those that answer the plain ``agent``/``activity``
    filters (actor, object, and members of an actor or object group; the object activity), the others
    answer only with ``related_agents``/``related_activities``. The verb (as the term ``"V " + verb``)
    and ``stored`` are in the key so "this agent, this verb, since" is one range scan of the primary
    key, the table's only index. Terms and verbs are :class:`IndexTerm` ids and ``stored_us`` is
    ``stored`` in microseconds since 1970 UTC, so a row is a few dozen bytes however long the IRIs are.

    A statement whose object is a StatementRef also answers every filter its target answers (xAPI
    Communication §2.1.3, recursively), so it gets its target's terms too, crossed with its own and its
    target's verbs, plus ``"V " + verb`` and ``"R " + registration`` rows for the verb-only and
    registration filters.
    """

    pk = models.CompositePrimaryKey("term_id", "verb_id", "stored_us", "seq")
    term_id = models.BigIntegerField()
    verb_id = models.BigIntegerField()
    stored_us = models.BigIntegerField()
    seq = models.BigIntegerField()
    direct = models.BooleanField()

    class Meta:
        verbose_name = _("statement query term")


class StatementReference(models.Model):
    """A statement whose object is a StatementRef (a voiding statement or any other), by target id, so a
    target that arrives after the statement pointing at it is still voided or linked."""

    target_id = models.UUIDField(db_index=True)
    seq = models.BigIntegerField()
    stored = models.DateTimeField()
    voiding = models.BooleanField()

    class Meta:
        verbose_name = _("statement reference")


class Activity(models.Model):
    """活动: the newest definition the LRS has seen for an activity id (the Activities resource)."""

    activity_key = models.CharField(max_length=255, unique=True)
    activity_id = models.TextField(_("activity id"))
    definition = models.JSONField(_("definition"), default=dict)
    # Digest of the last definition received, so an unchanged definition costs no JSON decoding.
    definition_hash = models.CharField(max_length=40, blank=True)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.activity_id


class DocumentKind(models.TextChoices):
    STATE = "state", _("State")
    ACTIVITY_PROFILE = "activity_profile", _("Activity profile")
    AGENT_PROFILE = "agent_profile", _("Agent profile")


class Document(models.Model):
    """xAPI document (state, activity profile or agent profile): opaque bytes with a content type.

    Unused parts of the key are empty strings, not NULL, so one unique constraint covers all three kinds
    on both databases.
    """

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    activity_key = models.CharField(max_length=255, blank=True)
    agent_key = models.CharField(max_length=255, blank=True)
    registration = models.CharField(max_length=36, blank=True)
    document_key = models.CharField(max_length=255)
    activity_id = models.TextField(blank=True)
    agent = models.JSONField(null=True, blank=True)
    document_id = models.TextField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("xAPI document")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity_key", "agent_key", "registration", "document_key"], name="xapi_document_key"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "activity_key", "agent_key", "updated"], name="xapi_document_since"),
        ]
