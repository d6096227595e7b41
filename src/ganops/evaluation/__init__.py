"""Sample grids, plots and (later) metrics and reports."""
