"""Corpus reading, tagging and index writing for newsearch."""
