#!/usr/bin/env bash
# Pipeline benchmark: scheduler overhead on a generated 1,000-job DAG of
# no-op jobs against GNU make running the equivalent Makefile with the same
# -j, in the same run; a fully cached re-run; evidence parsing throughput on
# a 100,000-test JUnit file and a 100,000-result SARIF file.
#
#   bench/pipeline.sh            JOBS=1000, -j = number of cores
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-1000}
PAR=${PAR:-$(nproc)}
REPEAT=${REPEAT:-5}

cargo build --release --quiet
BIN=$PWD/target/release/lockgate
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "# lockgate pipeline benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(make --version | head -1)"

python3 - "$WORK" "$JOBS" <<'PY'
import os, sys
work, n = sys.argv[1], int(sys.argv[2])
layers, width = 10, n // 10
os.makedirs(f"{work}/lg/src", exist_ok=True)
os.makedirs(f"{work}/make", exist_ok=True)
def needs(l, j):
    return [] if l == 0 else sorted({f"j{l-1}_{(j*7) % width}", f"j{l-1}_{(j*13+5) % width}"})
with open(f"{work}/lg/lockgate.yaml", "w") as y, open(f"{work}/make/Makefile", "w") as m:
    y.write("project: dag\npipeline:\n")
    names = []
    for l in range(layers):
        for j in range(width):
            name = f"j{l}_{j}"; names.append(name)
            deps = needs(l, j)
            open(f"{work}/lg/src/{name}.txt", "w").write(name)
            y.write(f"  {name}:\n    run: 'true'\n    inputs: [src/{name}.txt]\n")
            if deps:
                y.write(f"    needs: [{', '.join(deps)}]\n")
            m.write(f".PHONY: {name}\n{name}: {' '.join(deps)}\n\t@true\n")
    m.write(f".PHONY: all\nall: {' '.join(names)}\n")
print(f"generated a DAG of {len(names)} jobs in {layers} layers ({width} wide, each needing 2 of the layer before)")
PY

median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
timeit() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); python3 -c "print($e-$s)"; }

M=(); L=(); C=()
for _ in $(seq "$REPEAT"); do
  M+=("$(cd "$WORK/make" && timeit make -s -j"$PAR" all)")
  L+=("$(cd "$WORK/lg" && timeit "$BIN" run -j "$PAR" --no-cache --progress plain -q)")
done
MM=$(median "${M[@]}"); LL=$(median "${L[@]}")
echo "make -j$PAR:               $(printf %.3f "$MM") s (median of $REPEAT)"
echo "lockgate run -j $PAR --no-cache: $(printf %.3f "$LL") s (median of $REPEAT; every job start/finish recorded in the ledger)"
python3 -c "print(f'ratio lockgate/make: {$LL/$MM:.2f}x (goal <= 1.25x)')"

(cd "$WORK/lg" && "$BIN" run -j "$PAR" --progress plain -q >/dev/null 2>&1) # fill the cache
for _ in $(seq "$REPEAT"); do
  C+=("$(cd "$WORK/lg" && timeit "$BIN" run -j "$PAR" --progress plain -q)")
done
CC=$(median "${C[@]}")
python3 -c "print(f'fully cached re-run of $JOBS jobs: {$CC*1000:.0f} ms (median of $REPEAT; goal < 100 ms)')"
(cd "$WORK/lg" && "$BIN" runs -n 1 --json) | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; c=sum(1 for j in r["results"].values() if j["cached"]); print("  (last run:", r["status"] + ",", c, "of", len(r["results"]), "jobs cached)")' 

# --- evidence parsing -----------------------------------------------------------
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
with open(f"{work}/junit.xml", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="big">\n')
    for s in range(100):
        f.write(f'  <testsuite name="suite{s}" tests="1000">\n')
        for t in range(1000):
            if t % 97 == 0:
                f.write(f'    <testcase classname="pkg.suite{s}" name="test_{t}" time="0.001"><failure message="assert">assertion failed: left == right</failure></testcase>\n')
            else:
                f.write(f'    <testcase classname="pkg.suite{s}" name="test_{t}" time="0.001"/>\n')
        f.write('  </testsuite>\n')
    f.write('</testsuites>\n')
results = [{"ruleId": f"R{i % 250}", "level": ["error", "warning", "note"][i % 3],
            "message": {"text": f"finding {i}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"src/f{i % 500}.tf"}, "region": {"startLine": i % 300 + 1, "startColumn": 3}}}]}
           for i in range(100000)]
json.dump({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "bench", "rules": [{"id": f"R{i}"} for i in range(250)]}}, "results": results}]}, open(f"{work}/scan.sarif", "w"))
PY
for kind in junit sarif; do
  f="$WORK/$([ $kind = junit ] && echo junit.xml || echo scan.sarif)"
  T=()
  for _ in $(seq "$REPEAT"); do T+=("$(timeit "$BIN" evidence --file "$f" --kind "$kind")"); done
  TT=$(median "${T[@]}")
  SIZE=$(stat -c %s "$f")
  python3 -c "print(f'evidence $kind: {$SIZE/1e6:.1f} MB with 100,000 entries parsed in {$TT*1000:.0f} ms = {$SIZE/1e6/$TT:.0f} MB/s (whole process)')"
  "$BIN" evidence --file "$f" --kind "$kind" | sed 's/^/  /'
done
