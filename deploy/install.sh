#!/bin/sh
# Install or update the deployment of docs/operations.md ("systemd"), as root, from the checkout
# it lives in (by default /srv/budget-warehouse):
#   sudo sh deploy/install.sh
# The code, the venv and the dbt manifest belong to root and are read-only to the service user
# `budget`, which owns only warehouse/ and .dagster_home/ and reads raw/. A process running as
# `budget` (a load, the UI, anything a hostile raw/ file could lead it to) cannot change the code
# that the services run next. Run again after every `git pull`.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVICE_USER=${SERVICE_USER:-budget}

if [ "$(id -u)" -ne 0 ]; then
	echo "deploy/install.sh: run as root (sudo sh deploy/install.sh)" >&2
	exit 1
fi
if [ "$ROOT" != /srv/budget-warehouse ]; then
	echo "deploy/install.sh: the units in deploy/ name /srv/budget-warehouse; edit them for $ROOT" >&2
fi

id -u "$SERVICE_USER" >/dev/null 2>&1 || useradd --system --home-dir "$ROOT" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"

cd "$ROOT"
# The venv and dbt's manifest are built by root: the services cannot write either at run time.
make venv
DBT_SEND_ANONYMOUS_USAGE_STATS=false .venv/bin/python -c 'from pipelines.defs.project import ensure_manifest; ensure_manifest()'
chown -R root:root "$ROOT"
chmod -R go-w "$ROOT"

# What the services write, and nothing else.
mkdir -p warehouse .dagster_home raw
chown -R "$SERVICE_USER:$SERVICE_USER" warehouse .dagster_home
chmod 0750 warehouse .dagster_home
# The instance's settings (the committed dagster.yaml: run queue, monitoring, telemetry off) stay root's.
chown root:root .dagster_home/dagster.yaml
chmod 0644 .dagster_home/dagster.yaml
# raw/ is filled by whoever delivers the tables; the services only read it.
chmod -R o+rX raw

install -m 0644 -o root -g root deploy/budget-dagster-daemon.service deploy/budget-dagster-webserver.service /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now budget-dagster-daemon budget-dagster-webserver
systemctl restart budget-dagster-daemon budget-dagster-webserver
