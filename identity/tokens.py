"""Bearer tokens (JWT, PyJWT): HS256 with a shared secret, or RS256 with a public key or JWKS.

Claims: `sub`, `role` (`staff` | `customer`), `customer_id` (customers only), `exp`, `iat`.
Every failure to verify is an `InvalidToken` whose message is safe to show to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from identity.principal import ROLES, Principal

MAX_TOKEN_BYTES = 4_096  # refused before any decoding: a real token is a few hundred bytes
MAX_SUBJECT = 200  # stored with every event and idempotency key the principal causes
LEEWAY = timedelta(seconds=30)  # clock skew tolerated on `exp` and `iat`


class InvalidToken(Exception):
    """A token that is malformed, forged, expired or carries bad claims."""


@dataclass(frozen=True)
class TokenVerifier:
    """Checks signatures with one algorithm and one key, or the JWKS key named by `kid`."""

    algorithm: str
    key: Any = None
    jwks: jwt.PyJWKSet | None = None

    def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken(f"the token is longer than {MAX_TOKEN_BYTES} bytes")
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=[self.algorithm],
                options={"require": ["exp", "sub", "role"]},
                leeway=LEEWAY,
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"the token has no `{error.claim}` claim") from None
        except jwt.PyJWTError as error:  # bad signature, format, algorithm, unknown key, ...
            raise InvalidToken(f"the token is invalid ({type(error).__name__})") from None
        return principal_from_claims(claims)

    def _key(self, token: str) -> Any:
        if self.jwks is None:
            return self.key
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is None and len(self.jwks.keys) == 1:  # one key: no need to name it
            return self.jwks.keys[0].key
        for found in self.jwks.keys:
            if found.key_id == kid:
                return found.key
        raise jwt.InvalidKeyError(f"no key {kid!r} in the JWKS")


@dataclass(frozen=True)
class TokenIssuer:
    """Signs tokens (`orders token`, the staff token `orders serve` prints)."""

    algorithm: str
    key: Any
    kid: str | None = None

    def issue(self, principal: Principal, ttl: timedelta, now: datetime | None = None) -> str:
        if principal.role is None:
            raise ValueError("an anonymous principal has no token")
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": principal.sub,
            "role": principal.role,
            "iat": issued,
            "exp": issued + ttl,
        }
        if principal.customer_id is not None:
            claims["customer_id"] = principal.customer_id
        headers = None if self.kid is None else {"kid": self.kid}
        return jwt.encode(claims, self.key, algorithm=self.algorithm, headers=headers)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal a verified token names; InvalidToken when its claims don't fit a role."""
    sub, role = claims.get("sub"), claims.get("role")
    if not isinstance(sub, str) or not 0 < len(sub) <= MAX_SUBJECT:
        raise InvalidToken(f"the token's `sub` claim must be 1 to {MAX_SUBJECT} characters")
    if role not in ROLES:
        raise InvalidToken(f"the token's `role` claim must be one of {', '.join(ROLES)}")
    if role == "staff":
        return Principal.staff(sub)
    customer_id = claims.get("customer_id")
    if not isinstance(customer_id, str) or not customer_id:
        raise InvalidToken("a customer token needs a `customer_id` claim")
    return Principal.customer(sub, customer_id)


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None when there is no header.

    InvalidToken for another scheme or an empty token (a header that can't be ignored)."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("the Authorization header must be `Bearer <token>`")
    return token.strip()
