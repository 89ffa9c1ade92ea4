#!/usr/bin/env bash
# Records what PostgreSQL answers to the logical replication statements in
# test/logical/fixtures/pg15-logical.sql (error texts and SQLSTATEs, view columns) into
# pg15-logical.out, which test/logical/*.test.ts follow. Needs a server: scripts/postgres.sh start PORT.
# Usage: scripts/record-logical-fixture.sh PORT
set -euo pipefail
port=${1:?usage: record-logical-fixture.sh PORT}
dir=$(dirname "$0")/../test/logical/fixtures
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc 'drop database if exists walrtc_logical' -c 'create database walrtc_logical'
psql -h 127.0.0.1 -p "$port" -U postgres -d walrtc_logical -f "$dir/pg15-logical.sql" 2>&1 \
  | grep -v '^LOCATION' | sed -E 's/ [0-9]{19} / <sysid> /; s/20[0-9]{2}-[0-9: -]*\+00/<time>/' > "$dir/pg15-logical.out"
psql -h 127.0.0.1 -p "$port" -U postgres -d walrtc_logical -qc 'alter subscription s disable' -c 'alter subscription s set (slot_name = none)' -c 'drop subscription s' >/dev/null 2>&1 || true
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc 'drop database walrtc_logical'
