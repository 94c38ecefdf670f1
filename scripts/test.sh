#!/usr/bin/env sh
# Runs reclab's whole test suite: fetches the reference model and the test PostgreSQL (with
# pgvector) if needed, then `cargo test`. Extra arguments go to `cargo test` (for example a
# test name filter).
set -eu
cd "$(dirname "$0")/.."
./scripts/fetch-reference-model.sh
./scripts/fetch-pgserver.sh
exec cargo test --locked "$@"
