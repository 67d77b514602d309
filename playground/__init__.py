"""GraphiQL served by the service itself: vendored files, no request to any other host."""

from playground.web import ASSETS, page, route

__all__ = ["ASSETS", "page", "route"]
