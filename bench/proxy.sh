#!/usr/bin/env bash
# Proxy benchmark: throughput and added latency of `lockgate serve`'s weighted
# L7 reverse proxy on loopback, beside nginx proxying to the same upstream
# instances and beside the upstream measured directly, all in the same run:
#   (a) direct   wrk -> one `lockgate demo-service` instance
#   (b) lockgate wrk -> lockgate's proxy (127.0.0.1:18480) -> 2 instances
#   (c) nginx    wrk -> nginx (127.0.0.1:18481, weighted upstream, keepalive 64) -> the same 2 instances
# Each target gets a 2 s warm-up, then `wrk -t2 -c64 -d$DURATION --latency`,
# in ROUNDS rounds whose order rotates. Prints the median requests/s and
# latency p50/p99 of each, the ratio lockgate/nginx requests/s and the p99
# latency each proxy adds over direct.
# Goal: lockgate >= nginx requests/s, lockgate's added p99 <= 1 ms.
# wrk, the proxies and the upstream share this machine's cores: compare the
# numbers of one run with each other, not with other machines.
#
#   bench/proxy.sh                              builds target/release/lockgate, DURATION=10s
#   DURATION=30s ROUNDS=5 bench/proxy.sh       longer measurements, more rounds
#   LOCKGATE_BIN=/path/to/lockgate bench/proxy.sh   use that binary, no cargo build
# wrk and nginx are installed with apt-get when missing (sudo when not root).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
LG_PORT=18480 NGX_PORT=18481 CANARY_PORT=18482

# --- tools -----------------------------------------------------------------------
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
have() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }
MISSING=(); for t in wrk nginx; do have "$t" || MISSING+=("$t"); done
if [ ${#MISSING[@]} -gt 0 ]; then
  echo "installing ${MISSING[*]} with apt-get" >&2
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [ -n "${LOCKGATE_BIN:-}" ]; then
  BIN=$(realpath "$LOCKGATE_BIN")
else
  cargo build --release --quiet
  BIN=$PWD/target/release/lockgate
fi
export PATH="$(dirname "$BIN"):$PATH"   # the service's run command calls `lockgate`

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-bench.XXXXXX")
NGINX_PID= SERVING=
cleanup() {
  if [ -n "$NGINX_PID" ]; then kill -TERM "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$SERVING" ]; then (cd "$WORK/project" && "$BIN" stop >/dev/null 2>&1) || echo "warning: lockgate stop failed" >&2; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $LG_PORT $NGX_PORT $CANARY_PORT; do busy "$p" && { echo "port $p is already in use on 127.0.0.1" >&2; exit 1; }; done
wait_http() { # URL: wait up to 15 s for a 200
  python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(150):
    try:
        if urllib.request.urlopen(sys.argv[1], timeout=1).status == 200: sys.exit(0)
    except Exception: pass
    time.sleep(0.1)
sys.exit(f"no 200 from {sys.argv[1]} within 15 s")
PY
}

echo "# lockgate proxy benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -sr)"
echo "# $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $("$NGINX" -v 2>&1 | cut -d' ' -f3), wrk -t2 -c64 -d$DURATION --latency after a 2 s warm-up, $ROUNDS rounds"

# --- upstream: lockgate controller with 2 demo-service instances -------------------
mkdir -p "$WORK/project"
cat > "$WORK/project/lockgate.yaml" <<YAML
version: 1
project: bench
environments:
  dev: { target: local }
services:
  web:
    run: lockgate demo-service --port \${PORT} --version \${VERSION}
    health: /healthz
    port: $LG_PORT
    instances: 2
  canary:
    run: lockgate demo-service --port \${PORT} --version \${VERSION} --error-rate \${ERROR_RATE:-0}
    health: /healthz
    port: $CANARY_PORT
    strategy:
      canary:
        steps: [20, 100]
        interval: 30s
        analysis:
          conditions: ["error_rate < 1%"]
          interval: 1s
          failure_limit: 0
          min_samples: 20
YAML
cd "$WORK/project"
SERVING=1; "$BIN" serve --detach >/dev/null
"$BIN" deploy web --env dev --version v1 --wait >/dev/null
"$BIN" rollout status web --env dev --json > "$WORK/status.json"
read -r LISTEN PORTS < <(python3 - "$WORK/status.json" "$LG_PORT" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ready = [str(i["port"]) for i in s["instances"] if i.get("state") == "ready"]
if not ready: sys.exit(f"no ready instance in `rollout status`: {s['instances']}")
print(s.get("listen") or f"127.0.0.1:{sys.argv[2]}", ",".join(ready))
PY
)
cd - >/dev/null
IFS=, read -r -a INSTANCES <<<"$PORTS"
echo "# upstream: ${#INSTANCES[@]} demo-service instances on ports ${INSTANCES[*]}; lockgate proxy on $LISTEN"

# --- nginx: weighted upstream to the same instances, unprivileged, foreground ------
NGX=$WORK/nginx; mkdir -p "$NGX/logs"
{
  echo "daemon off; worker_processes 2; pid $NGX/nginx.pid; error_log $NGX/logs/error.log warn;"
  echo "events { worker_connections 1024; }"
  echo "http {"
  echo "  access_log off;"
  for d in client_body proxy fastcgi uwsgi scgi; do echo "  ${d}_temp_path $NGX/${d}_temp;"; done
  echo "  upstream web {"
  for p in "${INSTANCES[@]}"; do echo "    server 127.0.0.1:$p weight=1;"; done
  echo "    keepalive 64;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:$NGX_PORT;"
  echo "    location / { proxy_pass http://web; proxy_http_version 1.1; proxy_set_header Connection \"\"; }"
  echo "  }"
  echo "}"
} > "$NGX/nginx.conf"
AS_USER=()
if [ "$(id -u)" -eq 0 ]; then # never run nginx as root: drop to nobody for the whole process
  chmod 755 "$WORK"; chown -R nobody "$NGX"
  AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
"${AS_USER[@]}" "$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGX_PORT/" || { cat "$NGX/logs/error.log" >&2; exit 1; }

# --- measurements ------------------------------------------------------------------
# ROUNDS rounds, the order of the three targets rotating from round to round
# (this VM's speed drifts); the medians are compared.
measure() { # NAME URL ROUND
  wrk -t2 -c64 -d2s "$2" >/dev/null
  wrk -t2 -c64 -d"$DURATION" --latency "$2" > "$WORK/$1.$3.wrk"
}
TARGETS=("direct http://127.0.0.1:${INSTANCES[0]}/" "lockgate http://$LISTEN/" "nginx http://127.0.0.1:$NGX_PORT/")
for ((round = 0; round < ROUNDS; round++)); do
  for ((k = 0; k < 3; k++)); do
    read -r name url <<<"${TARGETS[$(((k + round) % 3))]}"
    measure "$name" "$url" "$round"
  done
done

python3 - "$WORK" "$ROUNDS" <<'PY'
import re, statistics, sys
UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}
def ms(v):
    n, u = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", v).groups()
    return float(n) * UNIT[u]
work, rounds = sys.argv[1], int(sys.argv[2])
r = {}
for name in ("direct", "lockgate", "nginx"):
    runs = []
    for i in range(rounds):
        out = open(f"{work}/{name}.{i}.wrk").read()
        pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        if not rps or len(pct) != 2: sys.exit(f"cannot parse wrk output for {name}:\n{out}")
        err = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
        err += sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
        runs.append(dict(rps=float(rps.group(1)), p50=ms(pct["50"]), p99=ms(pct["99"]), err=err))
    x = {k: statistics.median(run[k] for run in runs) for k in ("rps", "p50", "p99")}
    x["err"] = sum(run["err"] for run in runs)
    x["all"] = [run["rps"] for run in runs]
    r[name] = x
    print(f"{name:9} {x['rps']:>10,.0f} req/s   p50 {x['p50']:7.3f} ms   p99 {x['p99']:7.3f} ms   "
          f"(medians of {rounds}: {', '.join(f'{v:,.0f}' for v in x['all'])} req/s)"
          + (f"   ({x['err']} errors or non-2xx!)" if x["err"] else ""))
lg, ng, d = r["lockgate"], r["nginx"], r["direct"]
print(f"ratio lockgate/nginx req/s: {lg['rps'] / ng['rps']:.2f}x (goal >= 1.00x)")
print(f"p99 added over direct: lockgate {lg['p99'] - d['p99']:+.3f} ms (goal <= 1 ms), nginx {ng['p99'] - d['p99']:+.3f} ms")
PY

# --- bad canary: first error -> all traffic back on stable ------------------------
# A client sends requests one after another through the proxy and notes the
# time and version of every answer; v2 answers 30 % errors, the analysis
# (interval 1s, failure_limit 0) aborts it. Reported: first v2 error to last
# answer from v2, and the abort event to the last answer from v2 (the switch).
bad_canary_rollback_time() {
  cd "$WORK/project"
  "$BIN" deploy canary --env dev --version v1 --wait >/dev/null
  python3 - "$CANARY_PORT" "$WORK/answers.txt" <<'PY' &
import http.client, sys, time
port, out = int(sys.argv[1]), open(sys.argv[2], "w")
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
end = time.time() + 12
while time.time() < end:
    try:
        c.request("GET", "/"); r = c.getresponse(); body = r.read().decode().split()
        out.write(f"{time.time():.6f} {r.status} {body[1] if body[0] == 'shop' else body[-1]}\n")
    except Exception:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        out.write(f"{time.time():.6f} 0 -\n")
PY
  local client=$!
  sleep 1
  "$BIN" deploy canary --env dev --version v2 --set ERROR_RATE=0.3 --wait >/dev/null 2>&1 || true
  wait "$client"
  "$BIN" audit log --kind rollout.aborted --json > "$WORK/aborted.json"
  cd - >/dev/null
  python3 - "$WORK/answers.txt" "$WORK/aborted.json" <<'PY'
import json, sys, datetime
rows = [l.split() for l in open(sys.argv[1])]
lost = sum(1 for t, s, v in rows if s == "0" or (s.startswith("5") and v != "v2"))
v2 = [(float(t), s) for t, s, v in rows if v == "v2"]
first_err = min(t for t, s in v2 if s == "500")
last_v2 = max(t for t, s in v2)
ev = json.load(open(sys.argv[2]))[-1]
# The ledger's time has second precision in its canonical form; use the
# answers themselves for the switch: the last v2 answer after the abort.
print(f"bad canary: first v2 error -> last answer from v2: {(last_v2 - first_err) * 1000:.0f} ms "
      f"(analysis interval 1s, failure_limit 0: bound 1 interval + 1 reconcile tick)")
print(f"bad canary: {len(rows)} answers, {len(v2)} from v2, {lost} lost (not v2's own errors); abort reason: {ev['payload']['reason']}")
PY
}
bad_canary_rollback_time
