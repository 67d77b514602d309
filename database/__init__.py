"""The relational store: the engine and its per-backend setup (`engine`), every table
(`tables`: the write model's, the event log's and the projections' bookkeeping), and the
Alembic migrations that create them (`migrate`, `migrations/`)."""
