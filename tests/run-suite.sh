#!/bin/sh
# Runs every test once against one build: the cmocka unit tests (TAP) and
# the integration suite against the real poolboot binary of that build.
#   tests/run-suite.sh BUILD_DIR [valgrind]
# Prints TAP lines and ends with "N passed, N failed" (exit 1 if any failed).
set -u
BUILD=${1:-build}
VG=${2:-}
cd "$(dirname "$0")/.." || exit 1
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

export CMOCKA_MESSAGE_OUTPUT=TAP
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: $t${VG:+ (valgrind)}"
	if [ -n "$VG" ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect \
		    "$t" >"$OUT.one" 2>&1
	else
		"$t" >"$OUT.one" 2>&1
	fi
	rc=$?
	cat "$OUT.one"
	sed -n 's/^\(not ok\|ok\) .*/&/p' "$OUT.one" >>"$OUT"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$OUT.one"; then
		# crashed, or valgrind found errors: count it as a failure
		echo "not ok - $t exited $rc" | tee -a "$OUT"
	fi
	rm -f "$OUT.one"
done

# answerfiles/ must be exactly what the current templates render
AF=$(mktemp -d)
if POOLBOOT_BIN="$BUILD/poolboot" sh scripts/make-answerfiles.sh "$AF" >"$OUT.one" 2>&1 &&
    diff -ru -x README.md answerfiles "$AF" >>"$OUT.one" 2>&1; then
	echo "ok - answerfiles/ matches what the templates render" | tee -a "$OUT"
else
	cat "$OUT.one"
	echo "not ok - answerfiles/ is stale: run make answerfiles and review the diff" | tee -a "$OUT"
fi
rm -rf "$AF" "$OUT.one"

# the house rules of server/ (docs/architecture.md): file and function
# length, prefixes, no include circle, which module may use which library
python3 tests/lint/structure.py >"$OUT.one" 2>&1
cat "$OUT.one"
grep -E '^(not ok|ok) ' "$OUT.one" >>"$OUT"
rm -f "$OUT.one"

# Debian's python3 has python3-os-xenapi (XenAPI.py) for the simulator check
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
echo "# integration: POOLBOOT_BIN=$BUILD/poolboot ($PY)"
# two modules at a time (run.py -j): most of the suite's time is waiting
POOLBOOT_BIN="$BUILD/poolboot" POOLBOOT_TEST_JOBS=${POOLBOOT_TEST_JOBS:-2} \
    $PY tests/integration/run.py >"$OUT.one" 2>&1
rc=$?
cat "$OUT.one"
grep -E '^(not ok|ok) ' "$OUT.one" >>"$OUT"
if [ $rc -ne 0 ] && ! grep -q '^not ok' "$OUT.one"; then
	echo "not ok - integration suite exited $rc" | tee -a "$OUT"
fi
rm -f "$OUT.one"

pass=$(grep -c '^ok ' "$OUT")
fail=$(grep -c '^not ok' "$OUT")
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
