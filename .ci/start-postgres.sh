#!/usr/bin/env bash
# Starts the PostgreSQL 15 server the store tests run against, the CI way: no systemd, so
# the cluster is driven with pg_ctlcluster. Idempotent: installs the server when missing,
# creates or starts cluster 15/main listening on 127.0.0.1:5432 only, and creates the role
# and database `gpufleet` unless they exist. Prints the line that points the tests at it.
set -euo pipefail

readonly VERSION=15
readonly CLUSTER=main
readonly PORT=5432
readonly ROLE=gpufleet
readonly PASSWORD=gpufleet
readonly DATABASE=gpufleet

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

if ! dpkg-query -W -f='${Status}' "postgresql-${VERSION}" 2>/dev/null | grep -q "install ok installed"; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "postgresql-${VERSION}"
fi

if ! pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qx "${VERSION}/${CLUSTER}"; then
  $SUDO pg_createcluster "${VERSION}" "${CLUSTER}" --port "${PORT}"
fi
# Loopback only: the CI machine's database is nobody else's business. A drop-in file under
# conf.d (included by Debian's postgresql.conf) overrides the defaults; a running cluster
# reads a changed file only on restart.
conf="/etc/postgresql/${VERSION}/${CLUSTER}/conf.d/gpufleet-ci.conf"
want="listen_addresses = '127.0.0.1'
port = ${PORT}"
changed=0
if [ "$(cat "${conf}" 2>/dev/null || true)" != "${want}" ]; then
  printf '%s\n' "${want}" | $SUDO tee "${conf}" >/dev/null
  changed=1
fi

status=$(pg_lsclusters -h | awk -v c="${VERSION}/${CLUSTER}" '$1 "/" $2 == c {print $4}')
if [ "${status}" != "online" ]; then
  $SUDO pg_ctlcluster "${VERSION}" "${CLUSTER}" start
elif [ "${changed}" -eq 1 ]; then
  $SUDO pg_ctlcluster "${VERSION}" "${CLUSTER}" restart
fi

# pg_ctlcluster returns once the postmaster accepts connections, but a cluster started by
# someone else a moment ago may still be recovering: wait for it (bounded).
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "${PORT}" && break
  sleep 0.5
done
pg_isready -h 127.0.0.1 -p "${PORT}"

if [ -n "$SUDO" ]; then as_postgres=(sudo -u postgres); else as_postgres=(runuser -u postgres --); fi
psql_admin() { "${as_postgres[@]}" psql -p "${PORT}" -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'")" != "1" ]; then
  psql_admin -c "CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE ${DATABASE} OWNER ${ROLE}"
fi

echo "export GPUFLEET_TEST_POSTGRES=postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DATABASE}"
