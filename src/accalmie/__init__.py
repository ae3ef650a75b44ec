"""Accalmie: see early when a client relationship goes sour, and act on it."""

__version__ = "0.1.0"
