"""``GET /api/public/projects``: the project of the caller's keys, as Langfuse's SDKs' ``auth_check()``
reads it (shape validated in ``test_api_schema.py``)."""

from __future__ import annotations

from tests.api.client import ServedApi


class TestProjects:
    def test_lists_the_callers_project_only(self, seeded_api: ServedApi) -> None:
        body = seeded_api.client.get("/api/public/projects").json()
        assert [(p["id"], p["name"]) for p in body["data"]] == [(seeded_api.project_id, "api-test")]
        other = seeded_api.as_other().get("/api/public/projects").json()
        assert [p["id"] for p in other["data"]] == [seeded_api.other_project_id]

    def test_needs_credentials(self, seeded_api: ServedApi) -> None:
        response = seeded_api.client.with_auth(None).get("/api/public/projects")
        assert response.status == 401
        assert "message" in response.json()
