"""Answers serialised once from their pydantic model."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import Response
from pydantic import BaseModel


class ModelResponse(Response):
    """A route's answer, its model serialised once. Returned as it is, a model is dumped by FastAPI,
    validated again against the route's `response_model` and then serialised: three passes where the
    model was already checked when it was built. Keep `response_model` on the route: it documents
    the answer in the OpenAPI document."""

    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None):
        super().__init__(model.model_dump_json().encode(), status_code, headers)
