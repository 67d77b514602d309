"""Benchmarks: search relevance (MRR, nDCG@10) and faceted-search latency on seeded data."""
