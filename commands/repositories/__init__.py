"""Load and save aggregates on the unit of work's connection.

Loads lock the aggregate's row (FOR UPDATE on PostgreSQL; SQLite's write lock is
taken at BEGIN). Saves of existing aggregates are guarded by the loaded version,
so a writer that slipped in between is a CONFLICT and never a lost update.
"""

from commands.repositories.customers import CustomerRepository
from commands.repositories.orders import OrderRepository
from commands.repositories.products import ProductRepository

__all__ = ["CustomerRepository", "OrderRepository", "ProductRepository"]
