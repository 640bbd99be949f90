#!/usr/bin/env bash
# PostgreSQL must answer on 127.0.0.1:5432; on machines where the Debian cluster exists but is
# stopped, start it (the way this machine's services are started).
set -euo pipefail
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "postgres: starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && exit 0; sleep 0.5; done
fi
echo "postgres: nothing answers on 127.0.0.1:5432; start PostgreSQL or set DATABASE_URL" >&2
exit 1
