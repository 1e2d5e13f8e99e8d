"""Helpers shared by the store's contract, property and migration tests, and its benchmark."""
