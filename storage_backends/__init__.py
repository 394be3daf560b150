"""Implementations of the storage port, chosen by URL (``memory://``, ``sqlite:///…``,
``postgresql://…``). Each backend imports its driver only when opened."""
