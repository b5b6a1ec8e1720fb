from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str | None
    phone: str | None
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CustomerPage(BaseModel):
    data: list[CustomerRead]
    next_cursor: str | None
