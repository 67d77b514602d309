"""Who is calling: the principal behind a request, and the bearer tokens that carry it.

Both sides use it: the command handlers and the query layer decide what a principal may
do (`commands.access`, `queries.access`); the HTTP layer turns a token into one.
"""

from identity.principal import ANONYMOUS, NotSignedIn, Principal, Role

__all__ = ["ANONYMOUS", "NotSignedIn", "Principal", "Role"]
