"""Bearer tokens: what verifies, and the clear refusal of everything else."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from identity import Principal
from identity.keys import KeysUnusable, embedded_secret, load_keys
from identity.tokens import InvalidToken, TokenIssuer, TokenVerifier, bearer
from settings import load_settings

SECRET = "s" * 40
HOUR = timedelta(hours=1)
ANA = Principal.customer("user-ana", "cust-ana")


def hs256() -> tuple[TokenIssuer, TokenVerifier]:
    return TokenIssuer("HS256", SECRET), TokenVerifier("HS256", key=SECRET)


def test_a_staff_and_a_customer_token_name_their_principal() -> None:
    issuer, verifier = hs256()
    staff = Principal.staff("user-sam")
    assert verifier.verify(issuer.issue(staff, HOUR)) == staff
    assert verifier.verify(issuer.issue(ANA, HOUR)) == ANA


def test_an_expired_token_is_refused_as_expired() -> None:
    issuer, verifier = hs256()
    old = issuer.issue(ANA, HOUR, now=datetime.now(UTC) - timedelta(hours=2))
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(old)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    _, verifier = hs256()
    forged = TokenIssuer("HS256", "x" * 40).issue(Principal.staff("mallory"), HOUR)
    with pytest.raises(InvalidToken, match="invalid"):
        verifier.verify(forged)


def test_an_unsigned_token_is_refused() -> None:
    _, verifier = hs256()
    claims = {"sub": "mallory", "role": "staff", "exp": datetime.now(UTC) + HOUR}
    # PyJWT types `key` without None, yet alg "none" takes only None (or "").
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(InvalidToken):
        verifier.verify(unsigned)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 5000, "e30.e30.e30"])
def test_malformed_tokens_are_refused(token: str) -> None:
    _, verifier = hs256()
    with pytest.raises(InvalidToken):
        verifier.verify(token)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"role": "staff"}, "sub"),
        ({"sub": "u", "role": "admin"}, "role"),
        ({"sub": "u", "role": "customer"}, "customer_id"),
        ({"sub": "u" * 201, "role": "staff"}, "sub"),
        ({"sub": "u"}, "role"),
    ],
)
def test_claims_that_fit_no_role_are_refused(claims: dict[str, object], message: str) -> None:
    _, verifier = hs256()
    token = jwt.encode({**claims, "exp": datetime.now(UTC) + HOUR}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match=message):
        verifier.verify(token)


def test_a_token_without_expiry_is_refused() -> None:
    _, verifier = hs256()
    token = jwt.encode({"sub": "u", "role": "staff"}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="`exp`"):
        verifier.verify(token)


def test_staff_tokens_ignore_a_customer_id_claim() -> None:
    token = jwt.encode(
        {"sub": "u", "role": "staff", "customer_id": "c", "exp": datetime.now(UTC) + HOUR},
        SECRET,
        algorithm="HS256",
    )
    assert hs256()[1].verify(token) == Principal.staff("u")


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("Bearer abc", "abc"), ("bearer  abc ", "abc")],
)
def test_bearer_takes_the_token_of_the_header(header: str | None, expected: str | None) -> None:
    assert bearer(header) == expected


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "abc"])
def test_bearer_refuses_other_schemes_and_empty_tokens(header: str) -> None:
    with pytest.raises(InvalidToken, match="Bearer"):
        bearer(header)


def rsa_pair(tmp_path: Path) -> tuple[Path, Path, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = tmp_path / "private.pem"
    public = tmp_path / "public.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public, key


def test_rs256_with_a_public_key_file(tmp_path: Path) -> None:
    private, public, _ = rsa_pair(tmp_path)
    keys = load_keys(load_settings(auth_public_key_file=public, auth_private_key_file=private))
    assert keys.issuer is not None
    assert keys.verifier.verify(keys.issuer.issue(ANA, HOUR)) == ANA
    # An HS256 token "signed" with the public key text must not pass (algorithm confusion).
    with pytest.raises(InvalidToken):
        keys.verifier.verify(TokenIssuer("HS256", "p" * 40).issue(ANA, HOUR))


def test_rs256_with_a_jwks_file_picks_the_key_by_kid(tmp_path: Path) -> None:
    private, _, key = rsa_pair(tmp_path)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    other = json.loads(
        jwt.algorithms.RSAAlgorithm.to_jwk(
            rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        )
    )
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**other, "kid": "old"}, {**jwk, "kid": "k1"}]}))
    keys = load_keys(load_settings(auth_jwks_file=jwks))
    assert keys.issuer is None  # no signing key configured: verify only
    signed = TokenIssuer("RS256", private.read_text(), kid="k1").issue(ANA, HOUR)
    assert keys.verifier.verify(signed) == ANA
    unknown = TokenIssuer("RS256", private.read_text(), kid="nope").issue(ANA, HOUR)
    with pytest.raises(InvalidToken):
        keys.verifier.verify(unknown)


def test_the_embedded_secret_is_created_once_for_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / ".auth-secret"
    first = embedded_secret(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert embedded_secret(path) == first
    assert len(first) >= 32


def test_an_embedded_secret_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".auth-secret"
    embedded_secret(path)
    path.chmod(0o644)
    with pytest.raises(KeysUnusable, match="chmod 600"):
        embedded_secret(path)


def test_without_auth_secret_the_keys_come_from_the_embedded_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTH_SECRET", raising=False)
    path = tmp_path / "secret"
    keys = load_keys(load_settings(auth_secret_file=path))
    assert path.exists() and keys.issuer is not None
    assert keys.verifier.verify(keys.issuer.issue(ANA, HOUR)) == ANA


def test_a_short_auth_secret_is_a_settings_error() -> None:
    from settings import SettingsError

    with pytest.raises(SettingsError, match="AUTH_SECRET"):
        load_settings(auth_secret="short")


def test_production_refuses_the_embedded_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTH_SECRET", raising=False)
    settings = load_settings(auth_secret_file=tmp_path / "secret", orders_production=True)
    with pytest.raises(KeysUnusable, match="AUTH_SECRET"):
        load_keys(settings)
    assert not (tmp_path / "secret").exists()
