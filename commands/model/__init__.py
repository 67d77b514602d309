"""Aggregates and their rules: pure Python, no database."""
