"""Where the token keys come from: a public key or JWKS file (RS256), else a shared secret.

On embedded defaults (no AUTH_SECRET, no key files) the secret is created once, at random,
in a file of the working directory readable by its owner only; `orders serve` and
`orders token` run in the same directory share it.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

import jwt

from identity.tokens import TokenIssuer, TokenVerifier
from settings import Settings, SettingsError

SECRET_BYTES = 32


class KeysUnusable(SettingsError):
    """Keys that cannot be used: a missing or unreadable file, a secret readable by others."""


@dataclass(frozen=True)
class Keys:
    verifier: TokenVerifier
    issuer: TokenIssuer | None  # None: this process can verify tokens but not sign them
    source: str  # what the keys are, for the start-up log


def load_keys(settings: Settings) -> Keys:
    """The verifier (and issuer, where a signing key is known) the settings describe."""
    private = _private_key(settings.auth_private_key_file)
    if settings.auth_public_key_file is not None:
        pem = _read(settings.auth_public_key_file)
        verifier = TokenVerifier("RS256", key=pem)
        return Keys(verifier, _rs256_issuer(private), f"RS256 key {settings.auth_public_key_file}")
    if settings.auth_jwks_file is not None:
        jwks = jwt.PyJWKSet.from_json(_read(settings.auth_jwks_file))
        verifier = TokenVerifier("RS256", jwks=jwks)
        return Keys(verifier, _rs256_issuer(private), f"RS256 JWKS {settings.auth_jwks_file}")
    if settings.auth_secret is not None:
        secret, source = settings.auth_secret.get_secret_value(), "HS256 secret AUTH_SECRET"
    elif settings.production:  # a secret made up on the spot is for trying things out
        raise KeysUnusable(
            "ORDERS_PRODUCTION needs AUTH_SECRET, AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_FILE"
        )
    else:
        secret = embedded_secret(settings.auth_secret_file)
        source = f"HS256 secret {settings.auth_secret_file}"
    return Keys(TokenVerifier("HS256", key=secret), TokenIssuer("HS256", secret), source)


def embedded_secret(path: Path) -> str:
    """The secret in `path`, created (owner-only) when missing; refused if others can read it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as error:
        raise KeysUnusable(f"cannot create {path} ({error.strerror}): set AUTH_SECRET") from None
    else:
        with os.fdopen(fd, "w") as file:  # O_EXCL: exactly one process writes it
            file.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise KeysUnusable(f"cannot read {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeysUnusable(f"{path} is readable by others: `chmod 600 {path}` or set AUTH_SECRET")
    secret = _read(path).strip()
    if len(secret) < SECRET_BYTES:
        raise KeysUnusable(f"{path} holds a secret shorter than {SECRET_BYTES} characters")
    return secret


def _rs256_issuer(private: str | None) -> TokenIssuer | None:
    return None if private is None else TokenIssuer("RS256", private)


def _private_key(path: Path | None) -> str | None:
    return None if path is None else _read(path)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as error:
        raise KeysUnusable(f"cannot read {path}: {error.strerror}") from None
