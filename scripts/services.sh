#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1, starting them when they
# are installed but stopped, then create the database role and the named
# databases if they are missing. Usage: scripts/services.sh DB [DB ...]
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
DB_USER=${DB_USER:-crowdsource}

say() { printf '[services] %s\n' "$*" >&2; }

wait_for() {  # wait_for SECONDS COMMAND...
  local n=$1; shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

if ! command -v psql >/dev/null 2>&1; then
  say "PostgreSQL is not installed. Install it with: apt-get install postgresql (13 or newer)"
  exit 1
fi
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    say "starting PostgreSQL"
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
  fi
  wait_for 30 pg_isready -q -h "$PGHOST" -p "$PGPORT" || {
    say "PostgreSQL does not answer on $PGHOST:$PGPORT; start it (pg_ctlcluster VERSION main start)"
    exit 1
  }
fi

if ! command -v redis-cli >/dev/null 2>&1 && ! command -v redis-server >/dev/null 2>&1; then
  say "Redis is not installed. Install it with: apt-get install redis-server"
  exit 1
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for 15 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping || {
    say "Redis does not answer on 127.0.0.1:$REDIS_PORT; start redis-server"
    exit 1
  }
fi

# Run SQL as a PostgreSQL superuser: over TCP as "postgres" (trust auth), or
# through the local socket as the postgres system user.
pg_admin() {
  if psql -h "$PGHOST" -p "$PGPORT" -U postgres -tAq -c "SELECT 1" >/dev/null 2>&1; then
    psql -h "$PGHOST" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -tAq "$@"
  elif command -v runuser >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- psql -v ON_ERROR_STOP=1 -tAq "$@"
  else
    say "cannot connect to PostgreSQL as a superuser to create role $DB_USER"
    exit 1
  fi
}

pg_admin -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER')
  THEN CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_USER'; END IF; END\$\$;"
for db in "$@"; do
  if [ -z "$(pg_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    say "creating database $db"
    pg_admin -c "CREATE DATABASE $db OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
  fi
done
