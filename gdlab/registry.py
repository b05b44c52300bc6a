"""The plugin registry: built-ins and third-party plugins, through the same pluggy hooks.

Third-party plugins come from the entry-point group ``gdlab``. Each entry point is loaded on
its own, and a plugin that fails to import, to register, or whose hooks raise, return garbage
or clash with another plugin's names is *skipped*: a :class:`PluginWarning` names its
distribution, version and entry point and the ``GDLAB_DISABLE_PLUGINS`` fix, ``gdlab plugins``
lists it with its error, and every built-in and other plugin keeps working.
``GDLAB_DISABLE_PLUGINS=a,b`` skips plugins by entry point or distribution name.
"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field

import pluggy

from . import hookspecs

ENTRY_POINT_GROUP = "gdlab"
BUILTIN_PLUGINS = ("gdlab.optim._plugin", "gdlab.surfaces._plugin", "gdlab.datasets._plugin")

#: hook name -> kind of spec it registers
_KINDS = {"optimizers": "gdlab_register_optimizers", "surfaces": "gdlab_register_surfaces",
          "datasets": "gdlab_register_datasets"}


class PluginError(RuntimeError):
    """A plugin registered in this process (:meth:`Registry.register`) is invalid (the message
    names it)."""


class PluginWarning(UserWarning):
    """An installed plugin is broken and was skipped (the message names it and the fix)."""


@dataclass
class PluginInfo:
    """What ``gdlab plugins`` lists: a plugin, where it comes from and what it contributes."""

    name: str
    source: str  # "builtin", or "<distribution> <version> (entry point <value>)"
    version: str
    contributes: dict = field(default_factory=dict)
    error: str = ""  # why it was skipped (entirely, or some of its contributions)


def _disabled() -> set[str]:
    raw = os.environ.get("GDLAB_DISABLE_PLUGINS", "")
    return {x.strip() for x in raw.split(",") if x.strip()}


class Registry:
    """Plugin manager plus the specs every plugin contributed, checked for clashes.

    Parameters
    ----------
    entry_points : bool, default True
        Load third-party plugins from the ``gdlab`` entry-point group.
    """

    def __init__(self, *, entry_points: bool = True):
        self.pm = pluggy.PluginManager("gdlab")
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self._specs: dict[str, dict] | None = None
        import importlib

        for modname in BUILTIN_PLUGINS:
            self.register(importlib.import_module(modname), modname, source="builtin")
        if entry_points:
            self._load_entry_points()

    # -- loading -------------------------------------------------------------------------
    def register(self, plugin, name: str, *, source: str = "local", version: str = "") -> None:
        """Register a plugin object or module under ``name`` (the specs are re-collected).

        Raises
        ------
        PluginError
            When the name is taken, a hook implementation does not match its spec, or a
            hook name is misspelled (pluggy's ``check_pending``).
        """
        if self.pm.has_plugin(name) or self.pm.get_plugin(name) is not None:
            raise PluginError(f"a gdlab plugin named {name!r} is already registered")
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            if self.pm.get_plugin(name) is not None:
                self.pm.unregister(name=name)
            raise PluginError(f"gdlab plugin {name!r} ({source}) is invalid: {exc}") from exc
        self.info[name] = PluginInfo(name, source, version)
        self._specs = None

    def unregister(self, name: str) -> None:
        """Remove the plugin registered as ``name``."""
        self.pm.unregister(name=name)
        self.info.pop(name, None)
        self._specs = None

    def _broken(self, name: str, source: str, version: str, message: str) -> None:
        """Record a skipped plugin (or contribution) and warn once."""
        import warnings

        info = self.info.get(name) or PluginInfo(name, source, version)
        info.error = "; ".join(filter(None, [info.error, message]))
        self.info[name] = info
        warnings.warn(message, PluginWarning, stacklevel=3)

    def broken(self) -> list[PluginInfo]:
        """The plugins that were skipped, entirely or in part, with their errors."""
        self.specs("optimizers")
        return [i for i in self.info.values() if i.error]

    def _load_entry_points(self) -> None:
        disabled = _disabled()
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist is not None else "?"
            version = ep.dist.version if ep.dist is not None else "?"
            if ep.name in disabled or dist in disabled:
                continue
            where = f"{dist} {version} (entry point {ep.name} = {ep.value})"
            try:
                self.register(ep.load(), ep.name, source=where, version=version)
            except Exception as exc:
                self._broken(ep.name, where, version,
                             f"gdlab plugin {where} failed to load and was skipped: "
                             f"{type(exc).__name__}: {exc}. Fix or uninstall it, or set "
                             f"GDLAB_DISABLE_PLUGINS={ep.name}")

    # -- collected specs -----------------------------------------------------------------
    def _collect(self) -> dict[str, dict]:
        specs: dict[str, dict] = {}
        for kind, hook_name in _KINDS.items():
            found: dict[str, tuple] = {}
            hook = getattr(self.pm.hook, hook_name)
            for impl in hook.get_hookimpls():  # registration order: built-ins first
                try:
                    mine = self._contribution(impl, kind, hook_name, found)
                except PluginError as exc:
                    info = self.info.get(impl.plugin_name)
                    if info is None or info.source == "builtin":
                        raise
                    self._broken(impl.plugin_name, info.source, info.version,
                                 f"{exc}; its {kind} were skipped. Fix or uninstall it, or set "
                                 f"GDLAB_DISABLE_PLUGINS={impl.plugin_name}")
                    continue
                found.update(mine)
                if impl.plugin_name in self.info:
                    self.info[impl.plugin_name].contributes[kind] = list(mine)
            specs[kind] = found
        return specs

    @staticmethod
    def _contribution(impl, kind, hook_name, found) -> dict:
        """``{name: (spec, plugin)}`` one hook implementation adds; PluginError naming the
        plugin if it raises, returns no list, a spec without a name, or a name already taken."""
        try:
            got = impl.function()
        except Exception as exc:
            raise PluginError(f"gdlab plugin {impl.plugin_name!r} raised in {hook_name}: "
                              f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(got, (list, tuple)):
            raise PluginError(f"gdlab plugin {impl.plugin_name!r}: {hook_name} must return a list "
                              f"of specs, got {type(got).__name__}")
        mine = {}
        for spec in got:
            name = getattr(spec, "name", None)
            if not isinstance(name, str):
                raise PluginError(f"gdlab plugin {impl.plugin_name!r}: {hook_name} returned "
                                  f"{spec!r}, which has no name")
            if name in found or name in mine:
                first = found[name][1] if name in found else impl.plugin_name
                raise PluginError(f"two {kind} named {name!r}: one from plugin {first!r}, one from "
                                  f"plugin {impl.plugin_name!r}")
            mine[name] = (spec, impl.plugin_name)
        return mine

    def specs(self, kind: str) -> dict:
        """``{name: spec}`` of one kind (``"optimizers"``, ``"surfaces"`` or ``"datasets"``)."""
        if self._specs is None:
            self._specs = self._collect()
        return {k: v[0] for k, v in self._specs[kind].items()}

    def provider(self, kind: str, name: str) -> str:
        """Name of the plugin that provides spec ``name`` of ``kind``."""
        self.specs(kind)
        return self._specs[kind][name][1]

    def _get(self, kind: str, name: str):
        specs = self.specs(kind)
        if name not in specs:
            raise ValueError(
                f"unknown {kind[:-1]} {name!r}; registered {kind}: {', '.join(sorted(specs))}"
            )
        return specs[name]

    def optimizer(self, name: str):
        """The :class:`~gdlab.optim.OptimizerSpec` called ``name`` (ValueError if unknown)."""
        return self._get("optimizers", name)

    def surface(self, name: str):
        """The :class:`~gdlab.surfaces.SurfaceSpec` called ``name`` (ValueError if unknown)."""
        return self._get("surfaces", name)

    def dataset(self, name: str):
        """The :class:`~gdlab.datasets.DatasetSpec` called ``name`` (ValueError if unknown)."""
        return self._get("datasets", name)

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin with what it contributes."""
        self.specs("optimizers")
        return list(self.info.values())


_REGISTRY: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, built on first use."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry()
    return _REGISTRY


def reset_registry() -> None:
    """Forget the process-wide registry (it is rebuilt on next use; for tests)."""
    global _REGISTRY
    _REGISTRY = None
