"""The exercise library: NMR techniques and the exercises a live session can watch, as validated data."""
