"""Arelle's plugins found once, where Arelle is imported ahead, not again in every validation.

A validation that asks Arelle for a plugin (the xBRL-JSON's, the viewer's) has it find every
plugin there is first: it reads and parses the source of each of its built-in plugins, some fifty
files, and the installed packages' entry points. That is 0.17 CPU-seconds of every validation,
a fifth of a report's, redone for each since each starts a new Arelle controller.

Imported where Arelle is imported ahead of the work (a validation worker's preloader, a batch of
builds, see builder.workers), this module has Arelle find them there, once, and gives every
validation forked from it that list: what Arelle would find again, as the plugins installed do
not change within a build. Where this version of Arelle finds them otherwise, nothing is changed
and each validation finds them itself, as before.
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
            found = list(EntryPointRef.discoverAll(PluginManager.getInstance()))
        finally:
            controller.close()
            PluginManager.getInstance().close()
    except Exception:  # noqa: BLE001 - another Arelle: each validation finds its plugins itself
        return

    def discover_all(plugin_manager=None) -> list:
        return list(found)

    EntryPointRef.discoverAll = staticmethod(discover_all)


_found_once()
