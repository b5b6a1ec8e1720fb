from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.domain.pagination import Page


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str | None
    phone: str | None
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CustomerPage(Page[CustomerRead]):
    pass
