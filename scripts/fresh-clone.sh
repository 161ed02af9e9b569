#!/usr/bin/env bash
# Proves the fresh-clone run (docs/testing.md "A fresh clone"): clones a branch into a temporary
# directory and, RUNS times in a row, stops PostgreSQL and Redis (as on a machine that just
# booted: the tests must start them, scripts/services.ts), then runs `npm ci && npm test` and
# prints each run's "N passed, N failed" line. Exits non-zero if any run failed.
#
#   scripts/fresh-clone.sh [RUNS=5] [REPO=/work/main] [BRANCH=main]
#
# It stops the machine's shared PostgreSQL cluster and the Redis on 6379: every other test run on
# the machine loses them meanwhile. Run it alone, on a machine of CI's size (2 cores).
set -uo pipefail

RUNS="${1:-5}"
REPO="${2:-/work/main}"
BRANCH="${3:-main}"
PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"

work="$(mktemp -d -t syncline-fresh-XXXXXX)"
trap 'rm -rf "$work"' EXIT
git clone --quiet --branch "$BRANCH" "$REPO" "$work/syncline" || exit 2
cd "$work/syncline" || exit 2

stop_services() {
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop 2>/dev/null || true
  redis-cli -p 6379 shutdown nosave 2>/dev/null || true
  # A Redis that refused the shutdown (protected mode, a password): its process, by pid only.
  for pid in $(pgrep -x redis-server 2>/dev/null); do
    if grep -q ':6379' <(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null); then kill "$pid" 2>/dev/null || true; fi
  done
}

failed=0
for run in $(seq 1 "$RUNS"); do
  stop_services
  rm -rf node_modules test/react18/node_modules test/ai6/node_modules test-results
  log="$work/run-$run.log"
  started=$(date +%s)
  if npm ci --no-audit --no-fund >"$log" 2>&1 && npm test >>"$log" 2>&1; then status=ok; else status=FAILED; failed=$((failed + 1)); fi
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)"
  echo "run $run/$RUNS: $status (${summary:-no summary line}) in $(( $(date +%s) - started )) s"
  if [ "$status" = FAILED ]; then
    grep -E '(FAIL|×) ' "$log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u | head -20 | sed 's/^/    /'
    cp "$log" "/tmp/syncline-fresh-run-$run.log" && echo "    log: /tmp/syncline-fresh-run-$run.log"
  fi
done
echo "$((RUNS - failed)) of $RUNS fresh-clone runs passed"
[ "$failed" -eq 0 ]
