"""The web UI: server-rendered pages over the store, for people rather than clients.

=============================  =============================================================
route                          page
=============================  =============================================================
``GET /``                      redirect to ``/sessions``
``GET /sessions``              the Sessions view: filter, sort, page (``listing.py``)
``GET /sessions/{sessionId}``  a session's traces as a conversation
``GET /traces/{traceId}``      a trace's observations as a tree, payloads expandable
``GET /static/…``              the stylesheet
=============================  =============================================================

Modules, one job each: ``routes.py`` (the routes), ``rendering.py`` (Jinja2, page headers,
authentication, error pages), ``pages.py`` (each page's context, read through the ``Store``
protocol), ``views.py`` (payloads as transcripts, observation trees), ``listing.py`` (the Sessions
view's query string), ``formatting.py`` (numbers and times). Templates and the stylesheet are
package data. No JavaScript: collapsing is ``<details>``, sorting and paging are links, filtering
is a GET form. Server-side only: imports Starlette and Jinja2.
"""

from __future__ import annotations

from otel_bridge.ui.routes import routes

__all__ = ["routes"]
