#!/usr/bin/env bash
# Ledger benchmark: durable appends/s (group commit; one writer process and
# four concurrent writer processes), `audit verify` over 1,000,000 events,
# inclusion-proof size — beside this machine's physical references measured
# in the same run (raw SHA-256 throughput, fsyncs/s of the disk under test).
#
#   bench/ledger.sh              full run (1,000,000 events for verify)
#   EVENTS=200000 bench/ledger.sh  smaller verify corpus
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-1000000}
APPENDS=${APPENDS:-100000}

cargo build --release --quiet
BIN=$PWD/target/release/lockgate
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1/($3-$2):,.0f}')"; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }

echo "# lockgate ledger benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -sr)"
echo "# store: SQLite WAL, synchronous=FULL (every acknowledged append is fsynced)"

# --- physical references -------------------------------------------------------
python3 - "$WORK" <<'PY'
import hashlib, os, sys, time
work = sys.argv[1]
buf = os.urandom(1 << 20)
t = time.perf_counter(); n = 0
while time.perf_counter() - t < 1.0:
    hashlib.sha256(buf).digest(); n += 1
print(f"reference: raw SHA-256 {n / (time.perf_counter() - t):,.0f} MB/s (Python hashlib, OpenSSL)")
path = os.path.join(work, "fsync.probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
t = time.perf_counter(); k = 0
while time.perf_counter() - t < 1.0:
    os.write(fd, b"x" * 4096); os.fsync(fd); k += 1
os.close(fd)
print(f"reference: {k / (time.perf_counter() - t):,.0f} fsyncs/s on {work} (4 KiB write + fsync)")
PY

project() { mkdir -p "$1"; printf 'project: bench\n' > "$1/lockgate.yaml"; }

# --- one writer process, N appending threads sharing the group-commit writer ----
for T in 8 32; do
  project "$WORK/one$T"
  t0=$(now); (cd "$WORK/one$T" && "$BIN" audit bench-append --count "$APPENDS" --threads "$T" --batch 1); t1=$(now)
  echo "appends: 1 writer process, $T threads, 1 event/request: $(rate "$APPENDS" "$t0" "$t1") durable events/s"
done

# --- one writer process, one thread sending batches of 100 ---------------------
project "$WORK/batch"
t0=$(now); (cd "$WORK/batch" && "$BIN" audit bench-append --count "$APPENDS" --threads 1 --batch 100); t1=$(now)
echo "appends: 1 writer process, 1 thread, 100 events/request: $(rate "$APPENDS" "$t0" "$t1") durable events/s"

# --- four concurrent writer processes on one ledger -----------------------------
for T in 8 32; do
  project "$WORK/four$T"
  (cd "$WORK/four$T" && "$BIN" audit note "created") >/dev/null
  t0=$(now)
  for i in 1 2 3 4; do
    (cd "$WORK/four$T" && "$BIN" audit bench-append --count $((APPENDS / 4)) --threads "$T" --batch 1) &
  done
  wait
  t1=$(now)
  echo "appends: 4 writer processes x $T threads, 1 event/request: $(rate "$APPENDS" "$t0" "$t1") durable events/s"
  (cd "$WORK/four$T" && "$BIN" audit verify --json) | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["problems"]==[], r; print("  (verified:", r["events"], "events, one linear history)")'
done

# --- verify over EVENTS events ---------------------------------------------------
project "$WORK/big"
t0=$(now); (cd "$WORK/big" && "$BIN" audit bench-append --count "$EVENTS" --threads 1 --batch 4096); t1=$(now)
echo "setup: wrote $EVENTS events in $(secs "$t0" "$t1") s ($(rate "$EVENTS" "$t0" "$t1") events/s, 4096/request)"
ls -l "$WORK/big/.lockgate/ledger.db" | awk '{printf "setup: ledger.db is %.0f MB\n", $5/1e6}'
t0=$(now); (cd "$WORK/big" && "$BIN" audit verify --json > "$WORK/verify.json"); t1=$(now)
python3 - "$WORK/verify.json" "$(secs "$t0" "$t1")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["problems"] == [], r["problems"][:3]
print(f"verify: {r['events']:,} events, {r['checkpoints']} checkpoints: {sys.argv[2]} s (goal < 5 s)")
PY
N=$((EVENTS / 2))
P=$(cd "$WORK/big" && "$BIN" audit proof "$N" | python3 -c 'import json,sys; p=json.load(sys.stdin); print(len(p["proof"]), p["treeSize"])')
read -r LEN SIZE <<<"$P"
python3 -c "import math; print(f'proof: inclusion proof of event $N in a tree of $SIZE: $LEN hashes (ceil(log2 n) = {math.ceil(math.log2($SIZE))})')"
t0=$(now); for _ in $(seq 20); do (cd "$WORK/big" && "$BIN" audit proof "$N" >/dev/null); done; t1=$(now)
python3 -c "print(f'proof: {($t1-$t0)/20*1000:.1f} ms per \`lockgate audit proof\` (whole process)')"
