"""Dataframe internals: sources, the per-session store, columns and edits."""
