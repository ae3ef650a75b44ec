"""Benchmarks run by `accalmie bench …`: they print figures and never pass or fail a test."""
