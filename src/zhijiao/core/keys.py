"""Secrets come from the environment; the embedded default generates them once into var/keys/.

A multi-machine deployment must set every key in the environment (docs/deploy.md) so that all web and
worker processes share them; the generated files only serve a single-machine install.
"""

import base64
import os
import secrets
from pathlib import Path


def _generate(nbytes: int, b64: bool, rsa: bool) -> str:
    if rsa:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys

        key = rsa_keys.generate_private_key(public_exponent=65537, key_size=2048)
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    raw = secrets.token_bytes(nbytes)
    return base64.b64encode(raw).decode() if b64 else secrets.token_urlsafe(nbytes)


def load_or_create_secret(env_name: str, path: Path, nbytes: int = 32, b64: bool = False, rsa: bool = False) -> str:
    value = os.environ.get(env_name)
    if value:
        return value.replace("\\n", "\n") if rsa else value
    if path.exists():
        return path.read_text().strip() + ("\n" if rsa else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    value = _generate(nbytes, b64, rsa)
    # O_EXCL: when several processes start at once, exactly one writes and the rest read its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip() + ("\n" if rsa else "")
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
