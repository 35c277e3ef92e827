"""Budget performance-target warehouse: Dagster code for loading department tables."""
