"""Recommender models sharing the `Recommender` interface (see base.py)."""
