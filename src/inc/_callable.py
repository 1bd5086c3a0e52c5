"""A package that can be called: ``inc.gate(...)``.

The public function shares its name with the package ``inc.gate``. Importing a submodule
sets it as an attribute of its parent package, so a plain function named ``inc.gate`` would be
replaced by the package the moment anything imports ``inc.gate.runner``. Instead the package
itself is made callable: calling it calls its target function, and ``import inc.gate.runner``
keeps working.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class CallableModule(types.ModuleType):
    """A module whose call runs ``__call_target__`` (``"module:function"``, resolved on first call)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the module's target function."""
        module_name, _, function = self.__dict__["__call_target__"].partition(":")
        return getattr(importlib.import_module(module_name), function)(*args, **kwargs)


def make_callable(name: str, target: str) -> None:
    """Make the imported module ``name`` callable; a call runs ``target`` (``"module:function"``)."""
    module = sys.modules[name]
    module.__call_target__ = target  # type: ignore[attr-defined]
    module.__class__ = CallableModule
