"""The Spark engine: parse on executors, land Parquet, build the marts with dbt-spark.

- settings.py: where the Parquet landing and dbt-spark's tables live, which master to use;
- session.py: the SparkSession, after checking the master can be reached;
- landing_schema.py: the landing tables' Spark and Arrow schemas, read from landing.sql;
- parse_task.py: what one executor task does with a batch of file paths;
- records.py: how a task's findings and rows travel back as Spark rows;
- stage.py: the driver's part: distribute, decide quarantine and conflicts, write the landing;
- landing_writer.py: the landing tables as Parquet, partitioned by fiscal_year;
- marts.py: dbt-spark's mart tables exported as <warehouse dir>/parquet/<mart>/ (bucket files);
- published.py: the load summary's counts, read from that Parquet.
"""
