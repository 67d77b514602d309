"""`orders serve` and `orders token`: the API and its projector; bearer tokens."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import timedelta
from typing import Any

from search_engine.local import search_url
from settings import Settings


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from database.migrate import upgrade
    from http_limits.protocol import uvicorn_options
    from server import create_app

    if not settings.is_postgres:  # the embedded default migrates itself
        asyncio.run(upgrade(settings.database_url))
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "access_log": args.access_log,
        "log_config": None,  # uvicorn's loggers go through ours (JSON lines, request ids)
    }
    staff = _embedded_staff_token(settings)  # also creates the embedded secret, before workers
    with search_url(settings) as url:
        if not settings.production:  # production serves no GraphiQL
            print(f"GraphiQL: http://{args.host}:{args.port}/graphql")
        if staff is not None:
            print(
                f"staff token ({STAFF_TOKEN_TTL.total_seconds() / 3600:g} h; for GraphiQL's headers"
                f' editor as {{"Authorization": "Bearer <token>"}}):\n{staff}',
                flush=True,
            )
        if args.workers == 1:
            projector = False if args.no_projector else None
            app = create_app(settings, search_url=url, run_projector=projector)
            uvicorn.run(app, **options, **uvicorn_options(settings))
            return 0
        # Worker processes build their own app from the environment; every one runs a
        # projector, and the leadership claim lets exactly one of them lead.
        os.environ["SEARCH_URL"] = url
        if args.no_projector:
            os.environ["PROJECTOR_ENABLED"] = "false"
        # The limits' protocol class reads them from the environment in each worker.
        limits = uvicorn_options()
        uvicorn.run(
            "server:app_from_environment", factory=True, workers=args.workers, **options, **limits
        )
    return 0


STAFF_TOKEN_TTL = timedelta(hours=12)


def _embedded_staff_token(settings: Settings) -> str | None:
    """On embedded defaults (no AUTH_SECRET, no key files): a staff token to print at start."""
    from identity import Principal
    from identity.keys import load_keys

    keys = load_keys(settings)
    embedded = settings.auth_secret is None and settings.auth_public_key_file is None
    if not embedded or settings.auth_jwks_file is not None or keys.issuer is None:
        return None
    return keys.issuer.issue(Principal.staff("orders-serve"), STAFF_TOKEN_TTL)


def token(args: argparse.Namespace, settings: Settings) -> int:
    from identity import Principal
    from identity.keys import KeysUnusable, load_keys

    try:
        keys = load_keys(settings)
    except KeysUnusable as error:
        print(f"orders token: {error}", file=sys.stderr)
        return 2
    if keys.issuer is None:
        print(
            f"orders token: {keys.source} verifies tokens only; set AUTH_PRIVATE_KEY_FILE to sign",
            file=sys.stderr,
        )
        return 2
    if args.customer is not None:
        principal = Principal.customer(args.sub or f"customer-{args.customer}", args.customer)
    else:
        principal = Principal.staff(args.sub or "staff")
    print(f"{principal.role} token for {principal.sub!r}, valid {args.ttl}:", file=sys.stderr)
    print(keys.issuer.issue(principal, args.ttl))
    return 0


TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def ttl(text: str) -> timedelta:
    number, unit = (text[:-1], text[-1]) if text[-1:] in TTL_UNITS else (text, "s")
    try:
        seconds = float(number) * TTL_UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use 90s, 30m, 1h or 7d") from None
    if not 0 < seconds <= 366 * 86400:
        raise argparse.ArgumentTypeError(f"{text!r}: between 1 second and a year")
    return timedelta(seconds=seconds)
