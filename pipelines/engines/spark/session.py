"""The SparkSession of a load, once the master it names is known to answer.

A standalone master that is down makes Spark retry for minutes before it gives up; a load checks
the address first (a TCP connect, a few seconds) and fails with one line naming the URL instead.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from urllib.parse import urlsplit

from pipelines.engines import EngineError
from pipelines.engines.spark import settings

_LOCAL = re.compile(r"^local(\[(\d+|\*)(,\s*\d+)?\])?$")
_CONNECT_SECONDS = 5.0
_REMOTE_SCHEMES = {"spark": 7077, "mesos": 5050}


def check_master(url: str, *, setting: str = "--spark-master") -> str | None:
    """None when `url` names a master Spark can use now, else the one line that says why not."""
    url = url.strip()
    if _LOCAL.match(url) or url == "yarn" or url.startswith("k8s://"):
        return None  # local runs in this process; YARN and Kubernetes are found by their own config
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in _REMOTE_SCHEMES:
        return (
            f"{setting} {url!r} is not a Spark master URL; use local[N], spark://HOST:PORT, yarn or "
            "k8s://https://HOST:PORT"
        )
    for address in url.split("://", 1)[1].split(","):  # spark://a:7077,b:7077 (standby masters)
        parts = urlsplit(f"{scheme}://{address}")
        host, port = parts.hostname, parts.port or _REMOTE_SCHEMES[scheme]
        try:
            with socket.create_connection((host, port), timeout=_CONNECT_SECONDS):
                return None
        except OSError as error:
            reason = error.strerror or type(error).__name__
    return f"{setting} {url} cannot be reached ({reason}); start the master or pass the URL of a running one"


def spark_session(master: str, *, warehouse_dir: str, app_name: str = "budget-warehouse load"):
    """A session on `master`; its catalog is in memory, so no metastore_db/ or derby.log appears."""
    if (problem := check_master(master)) is not None:
        raise EngineError(problem)
    # Executors run the project's parser: they need this Python, with this project installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={settings.LOG_CONFIG.as_uri()}")
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
