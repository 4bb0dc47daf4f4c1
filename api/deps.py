"""What route handlers receive: the :class:`Services` of the app and ``Annotated`` aliases."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from eukg.config import Settings
from eukg.errors import Overloaded, StoreError
from eukg.named_queries import NamedQuery
from eukg.stores.base import QueryRequest, QueryResponse, Store


@dataclass
class Services:
    """Everything a request may need, made once by :func:`api.app.create_app`."""

    settings: Settings
    store: Store
    queries: dict[str, NamedQuery]
    release: Path | None
    templates: Jinja2Templates
    #: Bounds the threads blocked on the store; a request finding none free gets 429.
    limiter: anyio.CapacityLimiter
    #: Things computed once per app (the ontology documentation).
    cache: dict[str, Any] = field(default_factory=dict)
    _triples: int | None = field(default=None, repr=False)

    @property
    def build_info(self) -> dict[str, Any]:
        """``build.json`` of the release, or ``{}`` when serving files or a remote store."""
        if self.release is None:
            return {}
        try:
            return dict(json.loads((self.release / "build.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    async def run(self, request: QueryRequest) -> QueryResponse:
        """Run ``request`` on the store in a worker thread, never on the event loop."""
        if self.limiter.available_tokens < 1:
            raise Overloaded(
                f"{int(self.limiter.total_tokens)} queries are running or waiting; retry shortly"
            )
        return await anyio.to_thread.run_sync(
            self.store.execute, request, self.settings.query_timeout, limiter=self.limiter
        )

    async def triple_count(self) -> int:
        """Triples in the default graph: from ``build.json``, else asked once of the store."""
        if self._triples is None:
            counts = self.build_info.get("counts", {})
            if isinstance(counts.get("default_graph"), int):
                self._triples = int(counts["default_graph"])
            else:
                try:
                    self._triples = await anyio.to_thread.run_sync(
                        self.store.triple_count, limiter=self.limiter
                    )
                except StoreError:
                    return 0
        return self._triples


def get_services(request: Request) -> Services:
    """The app's services (set by :func:`api.app.create_app`)."""
    services: Services = request.app.state.services
    return services


def get_settings(request: Request) -> Settings:
    return get_services(request).settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
