"""The REST API (django-ninja); OpenAPI documentation at /api/docs."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import SessionAuth

api = NinjaAPI(
    title="Somevahti API",
    version="1",
    description="Somevahti's REST API. Sign in to the web interface; the session authenticates API calls.",
    auth=SessionAuth(),
    urls_namespace="api",
)


@api.get("/health", auth=None, tags=["system"])
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


def _register_routers() -> None:
    from somevahti.checks.api import router as checks_router

    api.add_router("/checks", checks_router)


_register_routers()
