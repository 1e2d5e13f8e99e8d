"""Helpers shared across the test suites: spans built and translated (``spans``), an ASGI client
(``asgi``), databases, fixtures, paths and the store's state."""
