"""One OpenAPI document for the whole platform, built from each service's own /openapi.json.

`merge_openapi` is pure (documents in, document out); `OpenApiAggregator` fetches and caches.
A service that is down is left out and named in `x-bakat-unavailable`: the docs stay usable while
one service restarts.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.config import GatewaySettings
from gateway.routing import resolve

log = logging.getLogger("bakat.gateway.openapi")

Doc = dict[str, Any]
GATEWAY = "gateway"
BEARER = "bearerAuth"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Referenced by name in `security`, not by $ref: merged first-wins, never renamed.
_NOT_RENAMED = frozenset({"securitySchemes"})
# A service that was down is asked again sooner than the normal cache period.
_RETRY_MISSING_S = 5.0


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def _components(doc: Doc) -> dict[str, dict[str, Any]]:
    return doc.setdefault("components", {})


def _conflicts(docs: Mapping[str, Doc]) -> set[tuple[str, str]]:
    """(section, name) pairs defined differently by at least two documents."""
    seen: dict[tuple[str, str], Any] = {}
    conflicts: set[tuple[str, str]] = set()
    for doc in docs.values():
        for section, entries in _components(doc).items():
            if section in _NOT_RENAMED:
                continue
            for name, value in entries.items():
                key = (section, name)
                if key in seen and seen[key] != value:
                    conflicts.add(key)
                seen.setdefault(key, value)
    return conflicts


def _rewrite_refs(node: Any, mapping: Mapping[str, str]) -> Any:
    """Replace every string equal to an old local pointer ($ref values, discriminator mappings)."""
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = mapping.get(value, value) if isinstance(value, str) else _rewrite_refs(value, mapping)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            node[i] = mapping.get(value, value) if isinstance(value, str) else _rewrite_refs(value, mapping)
    return node


def resolve_component_conflicts(docs: dict[str, Doc]) -> dict[str, dict[str, str]]:
    """Rename differing same-name components to `<Service><Name>` in every document defining them.

    Repeats until stable: renaming `Page` changes every schema that references it, which may make two
    formerly identical schemas differ in turn. Returns {service: {old pointer: new pointer}}.
    """
    taken = {(s, n) for doc in docs.values() for s, entries in _components(doc).items() for n in entries}
    renamed: dict[str, dict[str, str]] = {}
    while conflicts := _conflicts(docs):
        for service, doc in docs.items():
            mapping: dict[str, str] = {}
            for section, name in sorted(conflicts):
                entries = _components(doc).get(section, {})
                if name not in entries:
                    continue
                new, n = f"{_pascal(service)}{name}", 2
                while (section, new) in taken:
                    new, n = f"{_pascal(service)}{name}{n}", n + 1
                taken.add((section, new))
                entries[new] = entries.pop(name)
                mapping[f"#/components/{section}/{name}"] = f"#/components/{section}/{new}"
            if mapping:
                _rewrite_refs(doc, mapping)
                renamed.setdefault(service, {}).update(mapping)
    return renamed


def _tag_operations(service: str, item: dict[str, Any], secured: bool) -> None:
    for method in _METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        if operation.get("tags") and operation["tags"] != [service]:
            operation["x-service-tags"] = operation["tags"]  # kept, but grouping is by service
        operation["tags"] = [service]
        if secured:
            operation.setdefault("security", [{BEARER: []}])


def merge_openapi(gateway_doc: Doc, services: Mapping[str, Doc | None], *, version: str = "0.1.0") -> Doc:
    """Merge the gateway's own document with each service's (None: the service was not reachable)."""
    docs: dict[str, Doc] = {GATEWAY: copy.deepcopy(gateway_doc)}
    docs.update({name: copy.deepcopy(doc) for name, doc in services.items() if doc is not None})
    unavailable = [name for name, doc in services.items() if doc is None]
    resolve_component_conflicts(docs)

    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, dict[str, Any]] = {}
    operation_ids: set[str] = set()
    unrouted: list[str] = []
    for service, doc in docs.items():
        for path, item in doc.get("paths", {}).items():
            # Only what the gateway forwards to this service is reachable through it.
            if service != GATEWAY and resolve(path) != service:
                unrouted.append(f"{service}: {path}")
                continue
            _tag_operations(service, item, secured=service != GATEWAY)
            target = paths.setdefault(path, {})
            for key, value in item.items():
                if key in target:
                    log.warning("%s also documents %s %s: first one kept", service, key, path)
                    continue
                if key in _METHODS and (op_id := value.get("operationId")):
                    if op_id in operation_ids:
                        value["operationId"] = op_id = f"{service}_{op_id}"
                    operation_ids.add(op_id)
                target[key] = value
        for section, entries in _components(doc).items():
            merged = components.setdefault(section, {})
            for name, value in entries.items():
                merged.setdefault(name, value)  # same name => identical after conflict resolution

    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "OIDC access token (local dev: POST /auth/dev/token)",
    }
    available = [name for name in docs if name != GATEWAY]
    description = "All Bakat services behind the gateway; every operation is tagged with its service."
    if unavailable:
        description += f"\n\nNot reachable when this document was built (left out): {', '.join(unavailable)}."
    tags = [{"name": GATEWAY, "description": "The gateway's own routes"}] + [
        {"name": name, "description": str(docs[name].get("info", {}).get("title", f"{name} service"))}
        for name in available
    ]
    return {
        "openapi": gateway_doc.get("openapi", "3.1.0"),
        "info": {"title": "Bakat API", "version": version, "description": description},
        "tags": tags,
        "paths": dict(sorted(paths.items())),
        "components": {s: dict(sorted(entries.items())) for s, entries in sorted(components.items())},
        "x-bakat-services": available,
        "x-bakat-unavailable": unavailable,
        "x-bakat-unrouted": unrouted,
    }


class OpenApiAggregator:
    """Fetches every service's document concurrently and caches the merged result."""

    def __init__(
        self,
        settings: GatewaySettings,
        client: Callable[[], httpx.AsyncClient],
        gateway_doc: Callable[[], Doc],
    ) -> None:
        self.settings = settings
        self._client = client  # a getter: the shared client exists only once the lifespan has run
        self._gateway_doc = gateway_doc
        self._doc: Doc | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def document(self) -> Doc:
        if self._doc is not None and time.monotonic() < self._expires:
            return self._doc
        async with self._lock:  # one rebuild at a time; the others wait and reuse it
            if self._doc is not None and time.monotonic() < self._expires:
                return self._doc
            names = list(self.settings.service_urls())
            fetched = await asyncio.gather(*(self._fetch(name) for name in names))
            services = dict(zip(names, fetched, strict=True))
            doc = merge_openapi(self._gateway_doc(), services)
            ttl = self.settings.openapi_cache_s
            if doc["x-bakat-unavailable"]:
                ttl = min(ttl, _RETRY_MISSING_S)
            self._doc, self._expires = doc, time.monotonic() + ttl
            return doc

    async def _fetch(self, service: str) -> Doc | None:
        url = self.settings.service_urls()[service] + "/openapi.json"
        limit = self.settings.openapi_fetch_timeout_s
        try:
            async with asyncio.timeout(limit):
                response = await self._client().get(
                    url,
                    headers={"accept": "application/json"},
                    timeout=httpx.Timeout(limit, connect=self.settings.connect_timeout_s),
                )
                response.raise_for_status()
                doc = response.json()
        except (httpx.HTTPError, TimeoutError, ValueError) as exc:
            log.warning("no OpenAPI document from %s: %s", service, exc.__class__.__name__)
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
            log.warning("%s answered /openapi.json with something that is not an OpenAPI document", service)
            return None
        return doc


def openapi_router(aggregator: OpenApiAggregator) -> APIRouter:
    router = APIRouter()

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(await aggregator.document())

    @router.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Bakat API",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    return router
