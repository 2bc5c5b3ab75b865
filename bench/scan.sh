#!/usr/bin/env bash
# Scanner benchmark against Checkov, in the same run:
#   1. wall time and peak memory on ../shared/corpora/terragoat, both tools;
#   2. a synthetic corpus of COPIES copies of terragoat's terraform/ folder,
#      each in its own module folder: Checkov on CHECKOV_COPIES of them (it
#      takes ~1.7 s per copy, so 200 copies would be ~6 minutes per round),
#      lockgate on 1, CHECKOV_COPIES and COPIES copies to show linear growth;
#   3. parity: for every lockgate rule that declares a Checkov equivalent,
#      the failing resources of both tools on terragoat.
#
#   bench/scan.sh                         COPIES=200 CHECKOV_COPIES=20 ROUNDS=3
# Checkov is installed with pip into a virtualenv of the bench's own
# (target/bench-checkov), never the system Python.
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES=${COPIES:-200}
CHECKOV_COPIES=${CHECKOV_COPIES:-20}
ROUNDS=${ROUNDS:-3}
CHECKOV_VERSION=${CHECKOV_VERSION:-3.3.30}
CORPUS=${CORPUS:-../shared/corpora/terragoat}
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS (the shared corpora sit beside the project)" >&2; exit 2; }

if [ -z "${LOCKGATE_BIN:-}" ]; then
  cargo build --release --quiet
  LOCKGATE_BIN=$PWD/target/release/lockgate
fi
VENV=$PWD/target/bench-checkov
if [ ! -x "$VENV/bin/checkov" ]; then
  echo "installing checkov $CHECKOV_VERSION into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-scan-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "# lockgate scan vs Checkov $("$VENV/bin/checkov" --version) — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
exec python3 - "$LOCKGATE_BIN" "$VENV/bin/checkov" "$CORPUS" "$WORK" "$COPIES" "$CHECKOV_COPIES" "$ROUNDS" <<'PY'
import json, os, resource, shutil, statistics, subprocess, sys, time
lg, ck, corpus, work, copies, ck_copies, rounds = sys.argv[1:4] + [sys.argv[4]] + [int(x) for x in sys.argv[5:8]]

def measure(cmd, cwd=None):
    """Wall seconds and peak RSS (MiB) of one run, in a fresh child."""
    probe = ("import resource, subprocess, sys, time, json; t = time.perf_counter(); "
             "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "w = time.perf_counter() - t; "
             "print(json.dumps([w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, p.returncode]))")
    out = subprocess.run([sys.executable, "-c", probe] + cmd, cwd=cwd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)

def best(cmd, n):
    runs = [measure(cmd) for _ in range(n)]
    return min(r[0] for r in runs), max(r[1] for r in runs)

def lockgate(path):
    return [lg, "scan", path, "--format", "json"]

def checkov(path):
    return [ck, "-d", path, "--framework", "terraform", "-o", "json", "--compact", "--quiet", "--skip-download"]

tf = os.path.join(corpus, "terraform")
def synth(n):
    d = os.path.join(work, f"synthetic-{n}")
    if not os.path.isdir(d):
        for i in range(n):
            shutil.copytree(tf, os.path.join(d, f"copy-{i:03d}"))
    return d

print(f"\n## Wall time and peak memory (best of {rounds} for lockgate, 1 run for Checkov on large corpora)\n")
print("| corpus | files | lockgate | lockgate RSS | Checkov | Checkov RSS | speed-up |")
print("|---|---:|---:|---:|---:|---:|---:|")
def nfiles(p):
    return sum(1 for _, _, fs in os.walk(p) for f in fs if f.endswith((".tf", ".tofu", ".tfvars")))
rows = [("terragoat", corpus, min(rounds, 3))]
for n in sorted({1, ck_copies}):
    rows.append((f"synthetic ×{n}", synth(n), 1 if n > 1 else min(rounds, 3)))
lg_times = {}
for name, path, ck_rounds in rows:
    lt, lm = best(lockgate(path), rounds)
    ct, cm = best(checkov(path), ck_rounds)
    lg_times[name] = (nfiles(path), lt)
    print(f"| {name} | {nfiles(path)} | {lt*1000:.0f} ms | {lm:.0f} MiB | {ct:.1f} s | {cm:.0f} MiB | **{ct/lt:.0f}×** |")
big = synth(copies)
lt, lm = best(lockgate(big), rounds)
lg_times[f"synthetic ×{copies}"] = (nfiles(big), lt)
print(f"| synthetic ×{copies} | {nfiles(big)} | {lt*1000:.0f} ms | {lm:.0f} MiB | not run | | |")

print("\n## Linear growth (lockgate)\n")
print("| corpus | files | wall | ms per file |")
print("|---|---:|---:|---:|")
for name, (files, t) in lg_times.items():
    print(f"| {name} | {files} | {t*1000:.0f} ms | {t*1000/files:.2f} |")

# ---- parity -------------------------------------------------------------
rules = json.loads(subprocess.run([lg, "rules", "list", "--json"], capture_output=True, text=True, check=True).stdout)
lg_out = json.loads(subprocess.run(lockgate(corpus), capture_output=True, text=True).stdout)
ck_raw = json.loads(subprocess.run(checkov(corpus), capture_output=True, text=True).stdout)
ck_raw = ck_raw if isinstance(ck_raw, list) else [ck_raw]

def norm_file(p):
    p = p.replace("\\", "/")
    i = p.find("terraform/")
    return p[i:] if i >= 0 else p.lstrip("/")

def norm_res(r):
    """lockgate and Checkov spell some addresses differently."""
    import re
    r = re.sub(r"\[[^\]]*\]", "", r)
    r = re.sub(r"^data\.", "", r)                           # Checkov drops data.
    r = re.sub(r"^provider\.", "", r)
    return r

ck_fail = {}
for rep in ck_raw:
    for f in rep.get("results", {}).get("failed_checks", []):
        ck_fail.setdefault(f["check_id"], set()).add((norm_file(f["file_path"]), norm_res(f["resource"])))
lg_fail = {}
for f in lg_out["findings"]:
    if f.get("suppressed") or not f.get("resource"):
        continue
    lg_fail.setdefault(f["rule"], set()).add((norm_file(f["location"]["file"]), norm_res(f["resource"])))

print("\n## Parity on terragoat (failing resources per rule with a Checkov equivalent)\n")
print("| rule | Checkov | lockgate fails | Checkov fails | both | only lockgate | only Checkov | agreement |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
total_both = total_union = 0
diffs = []
for r in sorted(rules, key=lambda r: r["id"]):
    # Terraform rules only: Checkov runs with --framework terraform here.
    if not r["id"].startswith(("LG-AWS", "LG-AZURE", "LG-GCP")):
        continue
    cks = [e for e in r["equivalent"] if e.startswith("CKV")]
    if not cks:
        continue
    mine = lg_fail.get(r["id"], set())
    theirs = set().union(*(ck_fail.get(c, set()) for c in cks))
    both, only_l, only_c = mine & theirs, mine - theirs, theirs - mine
    union = mine | theirs
    total_both += len(both); total_union += len(union)
    agree = 100.0 if not union else 100.0 * len(both) / len(union)
    print(f"| {r['id']} | {', '.join(cks)} | {len(mine)} | {len(theirs)} | {len(both)} | {len(only_l)} | {len(only_c)} | {agree:.0f} % |")
    for x in sorted(only_l):
        diffs.append(f"{r['id']}: only lockgate: {x[0]} {x[1]}")
    for x in sorted(only_c):
        diffs.append(f"{r['id']}: only Checkov: {x[0]} {x[1]}")
if total_union:
    print(f"\nOverall agreement on failing resources: {100.0*total_both/total_union:.1f} % ({total_both} of {total_union}).")
if diffs:
    print("\nDisagreements (each is explained in the rule's docs, `lockgate rules explain ID`):\n")
    for d in diffs:
        print(f"- {d}")
PY
