"""Property-based fuzzing of the GraphQL API over HTTP (tests/e2e/test_fuzz.py)."""
