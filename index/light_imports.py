"""Whoosh and NLTK loaded without the modules they import but never need here.

``whoosh.compat`` imports ``urllib.request`` (for ``urlretrieve``, which nothing of Whoosh's
that newsearch uses calls) and ``cached_property`` imports ``asyncio`` (to ask whether a
decorated method is a coroutine function). Together they cost a cold ``newsearch query`` more
than 100 ms of its start. :func:`load_whoosh` imports both of Whoosh's modules while those two
names stand for small forwarding modules, then takes the forwarding modules out again: the
names Whoosh keeps forward to the real modules (imported on first real use), and any later
``import asyncio`` or ``import urllib.request`` gets the real module.

NLTK's package imports every part of NLTK, and one of them (collocation statistics) imports
SciPy's statistics when SciPy is installed (it is, for near-duplicate grouping): about a
second before the first word can be stemmed. newsearch uses NLTK's stemmers alone, so
:class:`_NltkWithoutScipy` has NLTK imported as if SciPy were absent (NLTK's own fallback:
those statistics then say they need SciPy); SciPy itself stays importable for everything else.
It changes nothing when SciPy is imported already, and if NLTK cannot be imported that way it
is imported the ordinary way.

Importing this module does both (the command line imports it before anything imports Whoosh;
the search columns import it too, for programs that use the engine directly). SciPy is hidden
from every thread while NLTK's package is imported: a program that starts threads imports NLTK
first (:func:`preload_nltk`; ``newsearch serve`` does).
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from collections.abc import Callable, Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
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
        import cached_property  # type: ignore[import-untyped]  # noqa: F401
        import whoosh.compat  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


class _NltkWithoutScipy(MetaPathFinder, Loader):
    """Finds ``nltk`` (the package alone) and runs its ``__init__`` with SciPy hidden."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "nltk" or "scipy" in sys.modules:
            return None
        spec = _real_spec(fullname, path, target, self)
        if spec is None or spec.loader is None:
            return None
        self._loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        # the module looks as it would have: NLTK's own loader is its loader
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        before = set(sys.modules)
        hidden = "scipy" not in sys.modules
        if hidden:
            sys.modules["scipy"] = None  # type: ignore[assignment]
        try:
            self._loader.exec_module(module)
        except ImportError:
            if not hidden:
                raise
            # this NLTK needs SciPy after all: forget the half-made modules, import as usual
            for name in set(sys.modules) - before:
                if name.startswith("nltk."):
                    del sys.modules[name]
            _show_scipy(hidden)
            hidden = False
            self._loader.exec_module(module)
        finally:
            _show_scipy(hidden)


def _show_scipy(hidden: bool) -> None:
    if hidden and sys.modules.get("scipy", 0) is None:
        del sys.modules["scipy"]


def _real_spec(
    fullname: str, path: Sequence[str] | None, target: types.ModuleType | None, me: object
) -> ModuleSpec | None:
    for finder in sys.meta_path:
        if finder is me or not hasattr(finder, "find_spec"):
            continue
        spec = finder.find_spec(fullname, path, target)
        if spec is not None:
            return spec
    return None


def preload_nltk() -> None:
    """Import NLTK's stemmers now: a program about to start threads calls this first, as SciPy
    is hidden from every thread while NLTK's package is imported (a thread importing SciPy
    for near-duplicate grouping meanwhile would be refused it)."""
    from nltk.stem.snowball import SnowballStemmer  # noqa: F401


def load_nltk_lightly() -> None:
    """Have NLTK, when first imported, imported without SciPy (see the module's docstring)."""
    if "nltk" not in sys.modules and not any(
        isinstance(f, _NltkWithoutScipy) for f in sys.meta_path
    ):
        sys.meta_path.insert(0, _NltkWithoutScipy())


load_whoosh()
load_nltk_lightly()
