"""The aggregated OpenAPI document: pure merge rules, then the live document built from fake services."""

from __future__ import annotations

import time
from typing import Any

import httpx
from gateway.openapi import merge_openapi


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in refs_in(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs_in(v)]
    return []


def assert_refs_resolve(doc: dict[str, Any]) -> None:
    for ref in refs_in(doc):
        _, _, section, name = ref.split("/", 3)
        assert name in doc["components"][section], ref


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def service_doc(path: str, page: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "svc", "version": "1"},
        "paths": {path: {"get": {"operationId": "list", "tags": ["things"],
                                 "responses": {"200": {"content": {"application/json": {"schema": ref("Wrapper")}}}}}}},
        "components": {"schemas": {
            "Page": page,
            "Wrapper": {"type": "object", "properties": {"page": ref("Page")}},  # identical text in both
            "Money": {"type": "object", "properties": {"amount": {"type": "integer"}}},
            **(extra or {}),
        }},
    }


GATEWAY_DOC = {"openapi": "3.1.0", "info": {"title": "gw", "version": "1"}, "paths": {}}


def test_merge_renames_conflicts_transitively_and_keeps_identical_schemas() -> None:
    roster = service_doc("/tenants/{t}/units", {"type": "object", "properties": {"total": {"type": "integer"}}})
    placement = service_doc("/tenants/{t}/placements", {"type": "object", "properties": {"cursor": {"type": "string"}}})
    doc = merge_openapi(GATEWAY_DOC, {"roster": roster, "placement": placement, "scheduling": None})
    schemas = doc["components"]["schemas"]
    assert "Page" not in schemas and "Wrapper" not in schemas
    assert {"RosterPage", "PlacementPage", "RosterWrapper", "PlacementWrapper", "Money"} <= set(schemas)
    # Wrapper was textually identical but pointed at different Pages: renamed too, refs rewritten.
    assert schemas["RosterWrapper"]["properties"]["page"] == ref("RosterPage")
    assert schemas["PlacementWrapper"]["properties"]["page"] == ref("PlacementPage")
    op = doc["paths"]["/tenants/{t}/units"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == ref("RosterWrapper")
    assert op["tags"] == ["roster"] and op["x-service-tags"] == ["things"]
    assert op["security"] == [{"bearerAuth": []}]
    # duplicated operationIds are made unique
    assert doc["paths"]["/tenants/{t}/placements"]["get"]["operationId"] == "placement_list"
    assert doc["x-bakat-unavailable"] == ["scheduling"]
    assert "scheduling" in doc["info"]["description"]
    assert_refs_resolve(doc)


def test_merge_does_not_mutate_its_inputs() -> None:
    roster = service_doc("/tenants/{t}/units", {"type": "object"})
    placement = service_doc("/tenants/{t}/placements", {"type": "string"})
    before = repr(roster)
    merge_openapi(GATEWAY_DOC, {"roster": roster, "placement": placement})
    assert repr(roster) == before


def test_merge_leaves_out_paths_the_gateway_does_not_route_to_that_service() -> None:
    roster = service_doc("/tenants/{t}/placements", {"type": "object"})  # a placement path, from roster
    doc = merge_openapi(GATEWAY_DOC, {"roster": roster})
    assert doc["paths"] == {}
    assert doc["x-bakat-unrouted"] == ["roster: /tenants/{t}/placements"]


async def test_live_document(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        started = time.perf_counter()
        r = await client.get("/openapi.json")
        first = time.perf_counter() - started
        again = await client.get("/openapi.json")
    assert r.status_code == 200 and first < 3
    doc = r.json()
    assert again.json() == doc  # served from the cache
    paths = doc["paths"]
    assert paths["/tenants/{tenant_id}/employees"]["get"]["tags"] == ["roster"]
    assert paths["/tenants/{tenant_id}/placements"]["get"]["tags"] == ["placement"]
    assert paths["/tenants/{tenant_id}/employees/{nip}/placement"]["get"]["tags"] == ["placement"]
    assert paths["/auth/dev/token"]["post"]["tags"] == ["gateway"]
    assert "security" not in paths["/auth/dev/token"]["post"]  # minting needs no token
    assert "/internal/debug" not in paths and "roster: /internal/debug" in doc["x-bakat-unrouted"]
    for hidden in ("/healthz", "/readyz", "/openapi.json", "/docs", "/{path}"):
        assert hidden not in paths

    schemas = doc["components"]["schemas"]
    assert {"RosterPage", "PlacementPage", "Money", "HTTPValidationError", "DevTokenRequest"} <= set(schemas)
    assert "Page" not in schemas and "RosterMoney" not in schemas
    assert "total" in schemas["RosterPage"]["properties"]
    assert "next_cursor" in schemas["PlacementPage"]["properties"]
    employees = paths["/tenants/{tenant_id}/employees"]["get"]["responses"]["200"]
    assert employees["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RosterPage"}
    assert_refs_resolve(doc)

    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["x-bakat-unavailable"] == ["assessment", "scheduling"]
    assert doc["x-bakat-services"] == ["roster", "placement"]
    assert "assessment, scheduling" in doc["info"]["description"]
    assert {t["name"] for t in doc["tags"]} == {"gateway", "roster", "placement"}


async def test_live_document_without_dev_mode_has_no_dev_routes(prod_stack) -> None:
    async with httpx.AsyncClient(base_url=prod_stack.url) as client:
        doc = (await client.get("/openapi.json")).json()
    assert not [p for p in doc["paths"] if p.startswith("/auth/dev")]
    assert "/tenants/{tenant_id}/placements" in doc["paths"]


async def test_swagger_ui(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        r = await client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in r.text and "swagger" in r.text.lower()
