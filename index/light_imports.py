"""Whoosh loaded without the standard-library modules it imports but never needs here.

``whoosh.compat`` imports ``urllib.request`` (for ``urlretrieve``, which nothing of Whoosh's
that newsearch uses calls) and ``cached_property`` imports ``asyncio`` (to ask whether a
decorated method is a coroutine function). Together they cost a cold ``newsearch query`` more
than 100 ms of its start. :func:`load_whoosh` imports both of Whoosh's modules while those two
names stand for small forwarding modules, then takes the forwarding modules out again: the
names Whoosh keeps forward to the real modules (imported on first real use), and any later
``import asyncio`` or ``import urllib.request`` gets the real module.

Importing this module does it (the command line imports it before anything imports Whoosh).
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from collections.abc import Callable
from typing import Any


class _Forward(types.ModuleType):
    """Stands for a module while Whoosh is imported: every attribute comes from the real
    module, imported when first asked for."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_real_name"] = name

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self.__dict__["_real_name"]), attribute)


def _forward_function(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def _is_coroutine_function(func: Any) -> bool:
    """``asyncio.iscoroutinefunction``, without importing asyncio for an ordinary function
    (an ``async def`` is told by ``inspect``; only a function marked the old asyncio way,
    with ``_is_coroutine``, needs asyncio itself to answer)."""
    if inspect.iscoroutinefunction(func):
        return True
    if getattr(func, "_is_coroutine", None) is None:
        return False
    import asyncio

    return bool(asyncio.iscoroutinefunction(func))


def load_whoosh() -> None:
    """Import ``whoosh.compat`` and ``cached_property`` lightly (see the module's docstring);
    nothing happens when either is imported already."""
    if "whoosh.compat" in sys.modules or "cached_property" in sys.modules:
        return
    stand_ins: dict[str, types.ModuleType] = {}
    if "urllib.request" not in sys.modules:
        request = _Forward("urllib.request")
        request.urlretrieve = _forward_function("urllib.request", "urlretrieve")  # type: ignore[attr-defined]
        stand_ins["urllib.request"] = request
    if "asyncio" not in sys.modules:
        aio = _Forward("asyncio")
        aio.iscoroutinefunction = _is_coroutine_function  # type: ignore[attr-defined]
        stand_ins["asyncio"] = aio
    sys.modules.update(stand_ins)
    try:
        import cached_property  # noqa: F401
        import whoosh.compat  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


load_whoosh()
