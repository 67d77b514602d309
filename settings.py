"""Settings read from the environment (and `.env`), validated once at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(RuntimeError):
    """Raised with a readable message when the environment holds bad values."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./orders.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///file.db or postgresql+asyncpg://...",
    )
    search_url: str | None = Field(
        default=None,
        description="Elasticsearch/OpenSearch URL; unset starts a local OpenSearch node",
    )
    # Identity: bearer JWTs. RS256 with AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_FILE; else HS256
    # with AUTH_SECRET; else (embedded default) a random secret in AUTH_SECRET_FILE.
    auth_secret: SecretStr | None = Field(default=None, min_length=32)
    auth_secret_file: Path = Field(default=Path(".auth-secret"))
    auth_public_key_file: Path | None = None
    auth_jwks_file: Path | None = None
    auth_private_key_file: Path | None = Field(
        default=None, description="RS256 signing key, only for `orders token`"
    )
    registration: Literal["open", "staff"] = Field(
        default="open", description="Who may call registerCustomer: anyone, or staff only"
    )
    cors_origins: str = Field(
        default="",
        description="Comma-separated browser origins allowed to call the API (CORS, WebSocket)",
    )
    index_prefix: str = Field(
        default="orders",
        pattern=r"^[a-z][a-z0-9_-]{0,40}$",
        description="The read alias; physical indices and the progress index derive from it",
    )
    search_node_port: int = Field(default=9200, ge=9200, le=9299)
    search_node_dir: Path = Field(default=Path(".search-node"))
    search_node_heap: str = Field(default="1g", pattern=r"^[0-9]+[mg]$")
    projector_batch_size: int = Field(default=2_000, ge=1, le=10_000)
    projector_poll_interval: float = Field(default=0.2, gt=0, le=60)
    projector_enabled: bool = True
    query_cache_size: int = Field(default=256, ge=0, le=100_000)
    query_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0, le=4 * 1024**3)
    # Request limits (README "Limits"): each refused with a coded error, each cheap.
    production: bool = Field(
        default=False,
        validation_alias="orders_production",
        description="ORDERS_PRODUCTION=true: no introspection, no suggestions, no GraphiQL",
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=1024**3)
    body_timeout: float = Field(default=10.0, gt=0, le=3600, description="seconds for a body")
    header_timeout: float = Field(default=10.0, gt=0, le=3600, description="seconds for a head")
    max_header_bytes: int = Field(default=32 * 1024, ge=1024, le=1024 * 1024)
    max_ws_message_bytes: int = Field(default=1024 * 1024, ge=1024, le=1024**3)
    graphql_timeout: float = Field(default=60.0, gt=0, le=3600, description="seconds per request")
    query_max_tokens: int = Field(default=5_000, ge=100, le=1_000_000)
    query_max_depth: int = Field(default=10, ge=1, le=1_000)
    query_max_aliases: int = Field(default=30, ge=0, le=100_000)
    query_max_spreads: int = Field(default=100, ge=0, le=100_000)
    query_max_fragment_nesting: int = Field(default=10, ge=0, le=1_000)
    query_max_cost: int = Field(default=10_000, ge=1, le=10**9)
    max_batch_operations: int = Field(default=0, ge=0, le=100, description="0: no batching")
    subscription_replay_max: int = Field(
        default=1_000, ge=0, le=1_000_000, description="changed orders one `after:` may replay"
    )

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got {value.split('://')[0]!r})"
            )
        return value

    @field_validator("search_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in filter(None, (part.strip() for part in value.split(","))):
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"{origin!r} is not an origin like https://shop.example.com")
            if origin.endswith("/"):
                raise ValueError(f"{origin!r}: an origin has no path (drop the trailing /)")
        return value

    @property
    def allowed_origins(self) -> list[str]:
        return [part.strip() for part in self.cors_origins.split(",") if part.strip()]

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one clear message per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = [f"  {str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors()]
        raise SettingsError("invalid settings:\n" + "\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
