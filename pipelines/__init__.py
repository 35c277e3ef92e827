"""Budget performance-target warehouse: Dagster code for loading department tables."""

import warnings

# pandera imports pyspark.pandas whenever pyspark (the Spark engine's dependency) is installed; its
# warning about pandas 3 concerns the pandas-on-Spark API, which this project never uses.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
