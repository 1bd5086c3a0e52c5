"""Deep comparison of a plain reading (``inc.light``) with the pydantic model's reading."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from inc import light


def same(a: Any, b: Any, where: str = "") -> None:
    """``a`` (the plain reading) holds what ``b`` (the model) holds, with the same types."""
    if isinstance(b, BaseModel):
        assert isinstance(a, light.Light), where
        assert type(a).__name__ == type(b).__name__, where
        for name in type(b).model_fields:
            same(getattr(a, name), getattr(b, name), f"{where}.{name}")
        assert a.model_extra == b.model_extra, where
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b), where
        for key in b:
            same(a[key], b[key], f"{where}.{key}")
    else:
        assert type(a) is type(b), f"{where}: {a!r} vs {b!r}"
        assert a == b or (a != a and b != b), f"{where}: {a!r} vs {b!r}"
