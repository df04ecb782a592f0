"""sims has no import cycles: every module can be read (and loaded) without the ones that use it."""

from __future__ import annotations

import grimp


def test_no_module_of_sims_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("sims")
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.startswith("sims") and graph.find_shortest_chain(
                importer=imported, imported=importer
            ):
                cycles.append(f"{importer} <-> {imported}")
    assert cycles == []
