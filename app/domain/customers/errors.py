from __future__ import annotations

import uuid

from app.errors import NotFound


class CustomerNotFound(NotFound):
    def __init__(self, customer_id: uuid.UUID) -> None:
        super().__init__("Customer", customer_id)
