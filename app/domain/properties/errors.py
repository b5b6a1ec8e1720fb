from __future__ import annotations

from collections.abc import Sequence

from app.errors import Conflict, NotFound


class PropertyNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__("Property", key)


class PropertyKeyReserved(Conflict):
    code = "property_key_reserved"
    title = "The key is a default property's"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"{key!r} is the key of a default property (whatever its case); choose another key.",
            key=key,
        )


class PropertyKeyTaken(Conflict):
    code = "property_key_taken"
    title = "A custom property of this account already has this key"

    def __init__(self, key: str, field: str | None = None) -> None:
        """`field`: where the key was given, when not in `body.key` (a mapping's entry)."""
        super().__init__(
            f"A custom property of this account already has the key {key!r} (keys are compared "
            "without case); map the attribute to it, or choose another key.",
            key=key,
            **({"field": field} if field else {}),
        )


class PropertyNotEditable(Conflict):
    """The default properties are a catalog in code, the same in every account."""

    code = "property_not_editable"
    title = "Default properties cannot be changed or deleted"

    def __init__(self, key: str, action: str) -> None:
        super().__init__(
            f"{key!r} is a default property; only custom properties can be {action}.", key=key
        )


class PropertyInUse(Conflict):
    code = "property_in_use"
    title = "The property is mapped by a list or segment"

    def __init__(self, key: str, segments: Sequence[dict[str, str]]) -> None:
        names = ", ".join(repr(segment["name"]) for segment in segments)
        super().__init__(
            f"Property {key!r} is mapped by the saved mapping of {names}; map those to another "
            "property first.",
            key=key,
            segments=list(segments),
        )
