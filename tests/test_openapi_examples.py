"""Every request body in the four services' OpenAPI documents carries an example, and every example is
one the endpoint takes: valid against its JSON schema (Draft 2020-12, the dialect of OpenAPI 3.1, with
the document's components for $ref), accepted by the pydantic model FastAPI validates the body with, and,
for the main bodies, through the checks the services run after pydantic (NIP structure, golongan, known
units and positions, the SIASN adapter, the CSV readers, the instrument catalogue).

Pure: each app's document is built the way the gateway fetches it, from `create_app(settings)` with a
database URL that is never connected to; no database, no broker.

Where the examples live: a model's `model_config = ConfigDict(json_schema_extra={"examples": [...]})`
(schema level), or, for bodies without a model of their own (a bare list, `dict | list`, a multipart
upload), `Body(openapi_examples=...)` or the route's `openapi_extra` (media-type level, a named map).

Multipart uploads are exempt from the "has an example" rule: the file part is bytes, not JSON. Ours still
carry one (the CSV file's content shown as text, with a description of its columns), and it is checked
like the others, its CSV parsed by the service's own reader.

The validator is `jsonschema_rs`, locked with schemathesis in the dev group; the pure-Python `jsonschema`
is not in uv.lock, and `make env` (`uv sync --frozen`) would remove a copy installed by hand.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

SERVICES = ("roster", "assessment", "placement", "scheduling")
MULTIPART = "multipart/form-data"
NO_DATABASE = "postgresql+asyncpg://bakat@localhost/never-connected"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@cache
def openapi(service: str) -> dict[str, Any]:
    main = importlib.import_module(f"{service}.main")
    config = importlib.import_module(f"{service}.config")
    [settings] = [
        getattr(config, name)
        for name in dir(config)
        if name.endswith("Settings") and name.lower().startswith(service)
    ]
    return main.create_app(settings(database_url=NO_DATABASE)).openapi()


def bodies(service: str) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, media type, media type object) of every request body of the service."""
    for path, item in openapi(service)["paths"].items():
        for method, operation in item.items():
            if method not in METHODS or "requestBody" not in operation:
                continue
            for media_type, media in operation["requestBody"]["content"].items():
                yield method.upper(), path, media_type, media


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def examples(service: str, media: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) of every example of a body: the media type's `example` and `examples` map, and the
    `examples` (or `example`) of the schema, or of the component it refers to."""
    found: list[tuple[str, Any]] = []
    if "example" in media:
        found.append(("media example", media["example"]))
    for name, example in media.get("examples", {}).items():
        assert "value" in example, f"media example {name!r} has no value (externalValue is not used here)"
        found.append((f"media example {name!r}", example["value"]))
    schema = media.get("schema", {})
    if name := ref_name(schema):
        schema = openapi(service)["components"]["schemas"][name]
    found += [(f"schema example {i}", value) for i, value in enumerate(schema.get("examples", []))]
    if "example" in schema:
        found.append(("schema example", schema["example"]))
    return found


def body_id(service: str, method: str, path: str, media_type: str) -> str:
    return f"{service} {method} {path} {media_type}"


BODIES = [(s, m, p, t, media) for s in SERVICES for m, p, t, media in bodies(s)]
BODY_IDS = [body_id(s, m, p, t) for s, m, p, t, _ in BODIES]
JSON_BODIES = [b for b in BODIES if b[3] != MULTIPART]
JSON_BODY_IDS = [body_id(s, m, p, t) for s, m, p, t, _ in JSON_BODIES]


def schema_errors(service: str, schema: dict[str, Any], instance: Any) -> list[str]:
    """Why `instance` is not valid against `schema`, a schema of the service's document; [] if it is.
    The components are inlined under the root, so `#/components/schemas/...` resolves; formats (date,
    date-time, uuid, email) are checked too; nothing is fetched."""
    root = {**schema, "components": openapi(service)["components"]}
    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True, offline=True)
    return [f"at {list(e.instance_path) or 'the root'}: {e.message}" for e in validator.iter_errors(instance)]


# ---- every body has an example, and every example is valid ------------------------------------------


def test_the_documents_have_request_bodies() -> None:
    assert len(BODIES) >= 40, BODY_IDS  # 39 lacked an example when this test was written
    assert {s for s, *_ in BODIES} == set(SERVICES)


@pytest.mark.parametrize(("service", "method", "path", "media_type", "media"), JSON_BODIES, ids=JSON_BODY_IDS)
def test_every_json_request_body_has_an_example(service, method, path, media_type, media) -> None:
    assert examples(service, media), f"{body_id(service, method, path, media_type)} has no example"


@pytest.mark.parametrize(("service", "method", "path", "media_type", "media"), BODIES, ids=BODY_IDS)
def test_every_request_body_example_validates_against_its_schema(
    service, method, path, media_type, media
) -> None:
    for label, value in examples(service, media):
        problems = schema_errors(service, media["schema"], value)
        assert not problems, f"{body_id(service, method, path, media_type)}, {label}: {problems}"


def _schema_examples(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any], list[Any]]]:
    """Every (sub)schema with an `examples` list: the models' examples and the fields' examples."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):
            yield where, node, node["examples"]
        for key, value in node.items():
            if key not in ("examples", "example", "default"):
                yield from _schema_examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _schema_examples(value, f"{where}/{i}")


@pytest.mark.parametrize("service", SERVICES)
def test_every_example_in_the_components_validates(service) -> None:
    """Also the responses' examples and each field's: a model example inherited by a subclass with more
    required fields (TrackRecordOut from TrackRecordIn) would be caught here."""
    problems = []
    for where, schema, values in _schema_examples(openapi(service)["components"], "#/components"):
        for i, value in enumerate(values):
            problems += [f"{where} example {i}: {p}" for p in schema_errors(service, schema, value)]
    assert not problems, "\n".join(problems)


# ---- every example is accepted by the model FastAPI validates the body with --------------------------


@cache
def models(service: str) -> dict[str, type[BaseModel]]:
    """The service's pydantic models by class name (component names are the class names), and the
    shared contracts' (a body can be one: bakat_common.contracts.reconcile)."""
    found: dict[str, type[BaseModel]] = {}
    for root in (service, "bakat_common.contracts"):
        package = importlib.import_module(root)
        for info in pkgutil.walk_packages(package.__path__, f"{root}."):
            if ".migrations" in info.name:
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == info.name:
                    assert found.setdefault(value.__name__, value) is value, f"two models named {value.__name__}"
    return found


def body_adapter(service: str, path: str, media: dict[str, Any]) -> TypeAdapter:
    schema = media["schema"]
    if name := ref_name(schema):
        return TypeAdapter(models(service)[name.removesuffix("-Input")])
    if path.endswith("/performance-ratings/batch"):
        return TypeAdapter(list[models("assessment")["PerformanceBatchItem"]])
    if path.endswith("/track-records/siasn"):
        return TypeAdapter(dict | list)  # checked by the SIASN adapter below
    raise AssertionError(f"{path}: a body without a model; say here which type FastAPI validates it with")


@pytest.mark.parametrize(("service", "method", "path", "media_type", "media"), JSON_BODIES, ids=JSON_BODY_IDS)
def test_every_json_example_is_accepted_by_its_pydantic_model(
    service, method, path, media_type, media
) -> None:
    adapter = body_adapter(service, path, media)
    for label, value in examples(service, media):
        try:
            adapter.validate_python(json.loads(json.dumps(value)))  # as FastAPI does, from parsed JSON
        except ValidationError as exc:
            pytest.fail(f"{body_id(service, method, path, media_type)}, {label}: {exc}")


def component_examples(service: str, name: str) -> list[Any]:
    values = openapi(service)["components"]["schemas"][name].get("examples", [])
    assert values, f"{service} {name} has no example"
    return values


def media_examples(service: str, method: str, path: str, media_type: str = "application/json") -> list[Any]:
    media = openapi(service)["paths"][path][method]["requestBody"]["content"][media_type]
    values = [example["value"] for example in media.get("examples", {}).values()]
    assert values, f"{service} {method.upper()} {path} {media_type} has no media-type example"
    return values


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("roster", "TenantIn"),
        ("roster", "UnitIn"),
        ("roster", "PositionIn"),
        ("roster", "EmployeeIn"),
        ("assessment", "AssessmentResultIn"),
        ("assessment", "BatchResultsIn"),
        ("assessment", "PerformanceRatingIn"),
        ("placement", "RuleSetIn"),
        ("scheduling", "ScheduleRequestIn"),
    ],
)
def test_main_bodies_validate_with_their_models(service, name) -> None:
    """The model's own validators (model_validator, field_validator) run: stricter than the schema."""
    model = models(service)[name]
    for value in component_examples(service, name):
        model.model_validate(value)


# ---- the main examples pass the services' checks after pydantic --------------------------------------

TODAY = date.today()


def roster_story() -> tuple[set[str], set[str]]:
    """The unit and position codes the roster examples register (the other examples refer to them)."""
    units = {u["code"] for u in component_examples("roster", "UnitIn")}
    positions = {p["code"] for p in component_examples("roster", "PositionIn")}
    return units, positions


def test_roster_examples_form_one_tenant() -> None:
    from roster.domain import check_tenant_parent

    tenants = {t["id"]: t for t in component_examples("roster", "TenantIn")}
    for tenant in tenants.values():
        parent = tenants.get(tenant.get("parent_id")) if tenant.get("parent_id") else None
        assert tenant.get("parent_id") is None or parent, f"{tenant['id']}: parent not among the examples"
        assert check_tenant_parent(tenant["kind"], parent and parent["kind"]) is None, tenant
    units, positions = roster_story()
    for unit in component_examples("roster", "UnitIn"):
        assert unit.get("parent_code") in (None, *units), unit
    for position in component_examples("roster", "PositionIn"):
        assert position["unit_code"] in units, position
    for transfer in component_examples("roster", "TransferIn"):
        assert transfer["unit_code"] in units and transfer.get("position_code") in (None, *positions)


def test_employee_examples_pass_the_nip_golongan_unit_and_position_checks() -> None:
    """The registration's and the push's row checks: NIP structure (birth date, TMT after 18, gender
    digit) agreeing with birth_date and gender, the golongan, known units and positions."""
    from roster.imports import validate_records
    from roster.schemas import EmployeeIn, EmployeesPush

    units, positions = roster_story()
    batches = [[EmployeeIn.model_validate(e) for e in component_examples("roster", "EmployeeIn")]]
    pushes = component_examples("roster", "EmployeesPush")
    batches += [EmployeesPush.model_validate(push).employees for push in pushes]
    for records in batches:
        result = validate_records(records, units, positions, TODAY)
        assert result.errors == [] and len(result.valid) == len(records)


def test_siasn_examples_map_through_the_adapter() -> None:
    from roster.imports import validate_records
    from roster.schemas import SiasnPush
    from roster.siasn import employee_from_data_utama, track_records_from_rw_jabatan

    units, positions = roster_story()
    for push in component_examples("roster", "SiasnPush"):
        body = SiasnPush.model_validate(push)
        employees = [employee_from_data_utama(record, body.unit_codes) for record in body.records]
        assert all(e.unit_code in units for e in employees), employees  # unit_codes maps the unor
        assert validate_records(employees, units, positions, TODAY).errors == []
    path = "/tenants/{tenant_id}/employees/{nip}/track-records/siasn"
    for history in media_examples("roster", "post", path):
        nip = history["data"][0]["nipBaru"]
        records = track_records_from_rw_jabatan(history, nip=nip)
        assert len(records) == len(history["data"]) and records[-1].end_date is None


def test_the_employee_upload_example_is_a_file_the_import_reads() -> None:
    from roster.importing import read_rows, validate_rows

    units, positions = roster_story()
    for example in media_examples("roster", "post", "/tenants/{tenant_id}/imports", MULTIPART):
        parsed = read_rows("pegawai.csv", example["file"].encode())
        assert parsed.ignored_columns == []
        result = validate_rows(parsed, units, positions, TODAY)
        assert result.errors == [] and len(result.valid) == 2, result.errors


def test_skp_batch_and_upload_examples_pass_the_row_checks() -> None:
    from assessment import skp_files

    path = "/tenants/{tenant_id}/performance-ratings"
    for batch in media_examples("assessment", "post", f"{path}/batch"):
        assert skp_files.check_items(batch).errors == []
    for example in media_examples("assessment", "post", f"{path}/imports", MULTIPART):
        result = skp_files.check_file(skp_files.read_file("skp.csv", example["file"].encode()))
        assert result.errors == [] and len(result.valid) == 2 and result.warnings == []


def test_assessment_examples_name_instruments_of_the_catalogue() -> None:
    """The built-in instruments, or the tenant's own from the InstrumentIn example; ratings only of the
    campaign's exercises."""
    from assessment.domain import BUILTIN_INSTRUMENTS

    own = {i["code"] for i in component_examples("assessment", "InstrumentIn")}
    catalogue = set(BUILTIN_INSTRUMENTS) | own
    used = set()
    for campaign in component_examples("assessment", "CampaignIn"):
        used |= set(campaign["instruments"])
    for batch in component_examples("assessment", "BatchResultsIn"):
        used |= {code for result in batch["results"] for code in result["scores"]}
    for name in ("RatingsIn", "IntegratedRatingsIn", "CorrectionIn"):
        used |= {r["instrument"] for body in component_examples("assessment", name) for r in body["ratings"]}
    rules = component_examples("assessment", "DevelopmentRulesIn")
    used |= {r["instrument"] for body in rules for r in body["rules"]}
    assert used - catalogue == set()
    exercises = {x for c in component_examples("assessment", "CampaignIn") for x in c.get("exercises", [])}
    for body in component_examples("assessment", "RatingsIn"):
        assert {r["exercise"] for r in body["ratings"]} <= exercises


def test_schedule_examples_prefer_working_days_of_their_window() -> None:
    """The request's check after pydantic: a preferred date must be a working day of the window. (The
    window must also start after today: these examples' dates will need moving on once they pass.)"""
    from scheduling.domain import working_days
    from scheduling.schemas import ScheduleRequestIn

    for value in component_examples("scheduling", "ScheduleRequestIn"):
        request = ScheduleRequestIn.model_validate(value)
        window = request.window
        days = set(working_days(window.start, window.end, window.working_days, window.holidays))
        preferred = {d for p in request.participants or [] for d in p.preferred_dates}
        assert days and preferred <= days, preferred - days
