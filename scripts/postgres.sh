#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for recording reference fixtures (never needed by
# `npm test`: the tests compare against the recorded fixtures).
#   scripts/postgres.sh start [port]   initialise (once) and start; prints the connection URL
#   scripts/postgres.sh stop  [port]
# Uses Debian's `postgresql` package (apt-get install postgresql); data lives in /tmp.
set -euo pipefail
cmd=${1:?start|stop}
port=${2:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL not installed: apt-get install -y postgresql" >&2; exit 1; }
dir=/tmp/walrtc-pg-$port
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
  start)
    if [ ! -d "$dir" ]; then
      mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
      as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$dir" -o "-c listen_addresses=127.0.0.1 -p $port -k /tmp" -l "$dir/log" -w start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
  *) echo "usage: $0 start|stop [port]" >&2; exit 2 ;;
esac
