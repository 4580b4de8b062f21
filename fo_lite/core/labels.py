"""Label types stored in embedded fields (flattened to ``<field>.<attr>`` columns)."""

from __future__ import annotations

from typing import Any


class Classification:
    """A classification label, as in FiftyOne.

    Stored in a dataset as flat columns: ``ground_truth.label`` and, when set,
    ``ground_truth.confidence``.

    >>> Classification(label="mountain")
    <Classification: {'label': 'mountain', 'confidence': None}>
    """

    _ATTRS = ("label", "confidence")

    __slots__ = _ATTRS

    def __init__(self, label: str | None = None, confidence: float | None = None) -> None:
        self.label = label
        self.confidence = confidence

    def __setattr__(self, name: str, value: Any) -> None:
        # checked on every assignment, so `sample.ground_truth.label = ...` is checked too
        if name == "label" and value is not None and not isinstance(value, str):
            raise TypeError(
                f"Classification label must be a string or None, not {type(value).__name__} "
                f"({value!r}); convert it with str() first"
            )
        if (
            name == "confidence"
            and value is not None
            and (isinstance(value, bool) or not isinstance(value, int | float))
        ):
            raise TypeError(f"Classification confidence must be a number or None, not {value!r}")
        object.__setattr__(self, name, value)

    @classmethod
    def attributes(cls) -> tuple[str, ...]:
        """Names of the attributes stored as columns."""
        return cls._ATTRS

    def to_dict(self) -> dict[str, Any]:
        """The label as a plain dict (``_cls`` names the type, as in FiftyOne)."""
        return {"_cls": "Classification", "label": self.label, "confidence": self.confidence}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Classification):
            return NotImplemented
        return self.label == other.label and self.confidence == other.confidence

    def __hash__(self) -> int:
        return hash((self.label, self.confidence))

    def __repr__(self) -> str:
        return f"<Classification: {{'label': {self.label!r}, 'confidence': {self.confidence!r}}}>"


# embedded type name -> class; the only place label types are registered
LABEL_TYPES: dict[str, type[Classification]] = {"Classification": Classification}
