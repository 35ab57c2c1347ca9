"""A cold start loads only what a search needs, and what it skips still works when asked for."""

from __future__ import annotations

import json
import subprocess
import sys

WORDS = ["workers", "labouring", "trafficked", "travailleurs", "trabajadores", "pêcheurs"]


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", "LANGS = ('en', 'fr', 'es')\n" + code],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_command_line_starts_without_asyncio_urllib_or_scipy() -> None:
    seen = _run(
        "import json, sys\n"
        "import newsearch.search.cli\n"
        "started = {m: m in sys.modules for m in ('asyncio', 'urllib.request', 'scipy')}\n"
        "from newsearch.index.analysis import stem\n"
        f"stems = [stem(w, l) for w in {WORDS!r} for l in LANGS]\n"
        "stemmed = {m: m in sys.modules for m in ('asyncio', 'scipy')}\n"
        "print(json.dumps({'started': started, 'stemmed': stemmed, 'stems': stems}))\n"
    )
    assert seen["started"] == {"asyncio": False, "urllib.request": False, "scipy": False}
    assert seen["stemmed"] == {"asyncio": False, "scipy": False}  # NLTK loaded, not SciPy
    plain = _run(  # NLTK imported the ordinary way (SciPy and all) stems the same
        "import json\n"
        "import nltk\n"
        "from newsearch.index.analysis import stem\n"
        f"print(json.dumps({{'stems': [stem(w, l) for w in {WORDS!r} for l in LANGS]}}))\n"
    )
    assert seen["stems"] == plain["stems"]


def test_what_was_skipped_is_the_real_module_when_asked_for() -> None:
    seen = _run(
        "import json, sys\n"
        "import newsearch.search.cli\n"
        "from newsearch.index.light_imports import preload_nltk\n"
        "preload_nltk()\n"
        "import asyncio, urllib.request, scipy.stats, cached_property, whoosh.compat\n"
        "class C:\n"
        "    @cached_property.cached_property\n"
        "    async def later(self):\n"
        "        return 7\n"
        "    @cached_property.cached_property\n"
        "    def now(self):\n"
        "        return 8\n"
        "async def ask():\n"
        "    return await C().later\n"
        "value = asyncio.run(ask())\n"
        "fetched = whoosh.compat.urlretrieve('data:,x')[0] is not None\n"
        "urllib.request.urlcleanup()\n"
        "print(json.dumps({\n"
        "    'asyncio': type(sys.modules['asyncio']).__name__,\n"
        "    'run': callable(asyncio.run),\n"
        "    'urlopen': callable(urllib.request.urlopen),\n"
        "    'urlretrieve': fetched,\n"
        "    'fisher': callable(scipy.stats.fisher_exact),\n"
        "    'async_value': value, 'value': C().now,\n"
        "}))\n"
    )
    assert seen == {
        "asyncio": "module",
        "run": True,
        "urlopen": True,
        "urlretrieve": True,
        "fisher": True,
        "async_value": 7,
        "value": 8,
    }
