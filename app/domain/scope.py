from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountScope:
    """The tenant a request or job acts for; every repository call takes it."""

    id: uuid.UUID
