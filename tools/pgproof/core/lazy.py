"""Modules imported on first use: the command line names what its commands need, and
`pgproof --help` (or a command that needs little) does not pay for the rest.

`lazy("pgproof.commands")` returns the module object at once, in `sys.modules`; its code
runs when one of its attributes is first read (importlib's LazyLoader). Only for
modules whose import has no side effect another module counts on.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType

_LOCK = threading.Lock()


def lazy(name: str) -> ModuleType:
    """The module `name`, loaded when first used (at once if it is loaded already)."""
    with _LOCK:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            raise ImportError(f"no module named {name}")
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
        return module
