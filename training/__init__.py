"""Training scripts for the heads shipped in ``discourse/data/models``: run from a checkout with
``python -m training.NAME`` (they read ``../shared/data``; nothing here is installed)."""
