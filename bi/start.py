"""`make bi`: Apache Superset over the published warehouse, set up from bi/ and served on 127.0.0.1.

Run by .venv-bi's Python. Superset keeps its state in $SUPERSET_HOME (.superset_home): its SQLite
metadata, a secret key made once, and the dashboard bundle written for this machine. The dashboards
are the committed export in bi/dashboards, imported on every start with the database URI pointed
at this checkout's warehouse, opened read-only: a later load is seen on the next refresh.
"""

from __future__ import annotations

import io
import os
import secrets
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

BUNDLE = Path(__file__).resolve().parent / "dashboards"
ADMIN = "admin"
PASSWORD_ENV = "BUDGET_BI_PASSWORD"


def main() -> int:
    home = Path(os.environ["SUPERSET_HOME"]).resolve()
    warehouse = Path(os.environ["BUDGET_WAREHOUSE"]).resolve()
    host, port = os.environ.get("BI_HOST", "127.0.0.1"), os.environ.get("BI_PORT", "8088")
    if not warehouse.is_file():
        print(f"error: no warehouse at {warehouse}: run `make load` first", file=sys.stderr)
        return 1
    home.mkdir(parents=True, exist_ok=True)
    _secret_key(home / "secret_key")
    bin_dir = Path(sys.executable).parent
    superset = str(bin_dir / "superset")
    _run(superset, "db", "upgrade")
    _admin(superset, home / "superset.db")
    _run(superset, "init")
    bundle = home / "dashboards.zip"
    bundle.write_bytes(_bundle(warehouse_uri(warehouse)))
    _run(superset, "import-dashboards", "-p", str(bundle), "-u", ADMIN)
    print(f"Superset on http://{host}:{port}/ (user {ADMIN}); Ctrl-C stops it", flush=True)
    gunicorn = str(bin_dir / "gunicorn")
    os.execv(gunicorn, [gunicorn, "--bind", f"{host}:{port}", "--workers", "1", "--threads", "4",
                        "--timeout", "120", "--control-socket", str(home / "gunicorn.ctl"),
                        "superset.app:create_app()"])


def warehouse_uri(warehouse: Path) -> str:
    """duckdb-engine's URI for the published file, read-only (docs/queries.md)."""
    return f"duckdb:///{warehouse}?access_mode=read_only"


def _secret_key(path: Path) -> None:
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)


def _admin(superset: str, metadata: Path) -> None:
    """The admin user: its password from $BUDGET_BI_PASSWORD, else made up and printed this once."""
    password = os.environ.get(PASSWORD_ENV)
    with sqlite3.connect(metadata) as con:
        exists = con.execute("select 1 from ab_user where username = ?", [ADMIN]).fetchall() != []
    if exists:
        if password:
            _run(superset, "fab", "reset-password", "--username", ADMIN, "--password", password)
        return
    shown = password is None
    password = password or secrets.token_urlsafe(12)
    _run(superset, "fab", "create-admin", "--username", ADMIN, "--firstname", "Budget", "--lastname", "Admin",
         "--email", "admin@localhost", "--password", password)
    if shown:
        print(f"Superset admin: user {ADMIN}, password {password} (shown once; ${PASSWORD_ENV} sets it)", flush=True)


def _bundle(uri: str) -> bytes:
    """The committed export as the ZIP Superset imports, its database pointed at `uri`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(BUNDLE.rglob("*.yaml")):
            relative = path.relative_to(BUNDLE)
            text = path.read_text(encoding="utf-8")
            if relative.parts[0] == "databases":
                database = yaml.safe_load(text)
                database["sqlalchemy_uri"] = uri
                text = yaml.safe_dump(database, allow_unicode=True, sort_keys=False)
            archive.writestr(f"bundle/{relative}", text)
    return buffer.getvalue()


def _run(*command: str) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        raise SystemExit(f"error: {' '.join(command[1:3])} failed (exit {completed.returncode})")


if __name__ == "__main__":
    sys.exit(main())
