"""The web UI: server-rendered pages over the store, for people rather than clients.

=====================================  =====================================================
route                                  page
=====================================  =====================================================
``GET /``                              redirect to ``/sessions``
``GET|POST /sign-in``                  a project's key pair → a signed cookie; ``POST /sign-out``
``GET /sessions``                      the Sessions view: charts, filters, sort, pages
``GET /sessions/{sessionId}``          a session's traces as a conversation
``GET /download/sessions/{sessionId}`` the session as JSON, traces with their observations
``POST /bookmarks/sessions/{id}``      bookmark a session (or remove it)
``GET /traces``                        the Traces view: filters, sort, pages
``GET /traces/{traceId}``              a trace: tree, timeline, one observation's details
``GET /static/…``                      the stylesheet and the one script
=====================================  =====================================================

Modules, one job each: ``routes.py`` (the routes), ``signin.py`` (the cookie and the check in front of
every page), ``forms.py`` (posted forms, the same-origin rule), ``rendering.py`` (Jinja2, page headers,
error pages), ``pages.py`` (each page's context, read through the ``Store`` protocol),
``listing.py``/``trace_listing.py`` (the views' query strings), ``links.py`` (links and pagers),
``charts.py`` (the SVG charts), ``conversation.py`` (a session's turns), ``waterfall.py`` (a trace's
timeline and details pane), ``views.py`` (payloads as transcripts, observation trees), ``downloads.py``
(the JSON download), ``formatting.py`` (numbers and times).

Pages work without script: collapsing is ``<details>``, sorting and paging are links, filtering is a
GET form, the charts and the timeline are SVG drawn here. ``static/otel-bridge.js`` adds what needs a
script (auto-refresh that keeps the position, copy to clipboard), under ``script-src 'self'`` with no
inline handler. Server-side only: imports Starlette and Jinja2.
"""

from __future__ import annotations

from otel_bridge.ui.routes import routes

__all__ = ["routes"]
