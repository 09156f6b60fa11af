"""Readers for article formats other than plain text: HTML pages, RSS/Atom feeds, JSON/JSONL records and URLs."""
