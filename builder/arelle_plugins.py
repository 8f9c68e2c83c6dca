"""Arelle's plugins found once, where Arelle is imported ahead, not again in every validation.

A validation that asks Arelle for a plugin (the xBRL-JSON's, the viewer's) has it find every
plugin there is first: it reads and parses the source of each of its built-in plugins, some fifty
files, and the installed packages' entry points. That is 0.17 CPU-seconds of every validation,
a fifth of a report's, redone for each since each starts a new Arelle controller.

Imported where Arelle is imported ahead of the work, in a process of the builder's own (a
validation worker's preloader, the batch command, see builder.workers and builder.batch), this
module has Arelle find them there, once, and gives every validation forked from it that list:
what Arelle would find again, as the plugins installed do not change within a build. It sets up
Arelle's controller to do so, as a validation does, which sets Arelle's global state (its
plugin manager, gettext's `_`): never imported in a program that calls the builder. Where this
version of Arelle finds them otherwise, or elsewhere, each validation finds them itself.
"""

from __future__ import annotations


def _found_once() -> None:
    try:
        from arelle import PluginManager
        from arelle.CntlrCmdLine import createCntlrAndPreloadPlugins
        from arelle.plugin_system.entry_point_ref import EntryPointRef

        # as a validation's session starts (arelle.api.Session.run) and ends (close)
        controller = createCntlrAndPreloadPlugins(uiLang=None, disablePersistentConfig=True, arellePluginModules={})
        try:
            manager = PluginManager.getInstance()
            where = _plugin_folder(manager)
            found = list(EntryPointRef.discoverAll(manager))
        finally:
            controller.close()
            PluginManager.getInstance().close()
    except Exception:  # noqa: BLE001 - another Arelle: each validation finds its plugins itself
        return
    find_them = EntryPointRef.discoverAll

    def discover_all(*args, **kwargs) -> list:
        manager = kwargs.get("plugin_manager", args[0] if args else None) or PluginManager.getInstance()
        if _plugin_folder(manager) != where:  # plugins looked for elsewhere: Arelle finds them there
            return find_them(*args, **kwargs)
        return list(found)

    EntryPointRef.discoverAll = staticmethod(discover_all)


def _plugin_folder(manager) -> str | None:
    """Where Arelle looks for its built-in plugins (as EntryPointRef.discoverAll does)."""
    return getattr(manager, "_pluginBase", None)


_found_once()
