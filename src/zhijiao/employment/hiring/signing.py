"""The agreement's canonical content, its SHA-256, and each party's signature (HMAC-SHA256).

The platform holds one agreement key (``ZJ_AGREEMENT_KEY``, generated once into ``var/keys/`` on a single
machine, like the other keys in :mod:`zhijiao.core.keys`). Each signer gets a key of their own derived from
it, ``HMAC(platform key, "party:<party>:user:<id>")``; the signature record keeps that key's fingerprint
(the first 16 hex digits of its SHA-256), so anyone can see *which* key signed without learning it.

A signature is ``HMAC(signer key, "<party>|<signer id>|<signed at>|<content hash>|<number>")``: it binds the
party, the account, the moment and the content. The agreement number is issued by the school at
approval, so only the school's signature covers it (the others sign an empty number).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from functools import cache

from django.conf import settings

from zhijiao.core.keys import load_or_create_secret

SIGNATURE_SCHEME = "hmac-sha256"


@cache
def _platform_key() -> bytes:
    return load_or_create_secret("ZJ_AGREEMENT_KEY", settings.VAR_DIR / "keys" / "agreement_key", nbytes=32,
                                 b64=True).encode()


def canonical_content(agreement) -> bytes:
    """What the parties agree to, as sorted compact JSON: parties, post, pay, dates, terms."""
    fields = {
        "application": agreement.application_id,
        "graduate": agreement.graduate_id,
        "graduate_name": agreement.graduate.real_name or agreement.graduate.username,
        "employer": agreement.employer_id,
        "employer_name": agreement.employer.organisation.name,
        "employer_code": agreement.employer.organisation.code,
        "school": agreement.school_id,
        "school_name": agreement.school.name,
        "post": agreement.post,
        "salary": agreement.salary,
        "start_date": agreement.start_date.isoformat(),
        "workplace_code": agreement.workplace_code,
        "contract_terms": agreement.contract_terms,
        "liquidated_damages": agreement.liquidated_damages,
        "offered_at": agreement.offered_at.astimezone(UTC).isoformat(timespec="seconds"),
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(agreement) -> str:
    return hashlib.sha256(canonical_content(agreement)).hexdigest()


def _signer_key(party: str, signer_id: int) -> bytes:
    return hmac.new(_platform_key(), f"party:{party}:user:{signer_id}".encode(), hashlib.sha256).digest()


def key_id(party: str, signer_id: int) -> str:
    fingerprint = hashlib.sha256(_signer_key(party, signer_id)).hexdigest()[:16]
    return f"{SIGNATURE_SCHEME}:{party}:{fingerprint}"


def _message(party: str, signer_id: int, signed_at: datetime, digest: str, number: str) -> bytes:
    at = signed_at.astimezone(UTC).isoformat(timespec="microseconds")
    return f"{party}|{signer_id}|{at}|{digest}|{number}".encode()


def sign(party: str, signer_id: int, signed_at: datetime, digest: str, number: str = "") -> str:
    return hmac.new(_signer_key(party, signer_id), _message(party, signer_id, signed_at, digest, number),
                    hashlib.sha256).hexdigest()


def signature_valid(signature, number: str) -> bool:
    """The stored MAC matches what the signer's key gives for the stored fields."""
    signed_number = number if signature.party == "school" else ""
    expected = sign(signature.party, signature.signer_id, signature.signed_at, signature.content_hash, signed_number)
    return (hmac.compare_digest(expected, signature.mac)
            and signature.key_id == key_id(signature.party, signature.signer_id))
