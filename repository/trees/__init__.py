"""Trees: a version's file tree, and the diffs, merges and lineage between trees."""
