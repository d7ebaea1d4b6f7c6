#!/bin/sh
# make check: build warning-free (warnings are errors), run the whole suite
# (unit tests under valgrind), then build with ASan+UBSan and run the whole
# suite again. The last line is the total "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
JOBS=$(nproc 2>/dev/null || echo 2)
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
total_pass=0
total_fail=0

run_pass() {	# name build-dir make-args... ; then runs the suite
	name=$1; build=$2; shift 2
	echo "==== $name: build ($build)"
	if ! make -s -j"$JOBS" BUILD="$build" WERROR=1 "$@" \
	    "$build/poolboot" unit >"$LOG/$name.build" 2>&1; then
		cat "$LOG/$name.build"
		echo "not ok - $name build failed"
		total_fail=$((total_fail + 1))
		return
	fi
	if grep -q 'warning:' "$LOG/$name.build"; then
		cat "$LOG/$name.build"
		echo "not ok - $name build has warnings"
		total_fail=$((total_fail + 1))
	fi
	echo "==== $name: tests"
	sh tests/run-suite.sh "$build" $VALGRIND | tee "$LOG/$name.out"
	p=$(tail -n 1 "$LOG/$name.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(tail -n 1 "$LOG/$name.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	[ -n "$p" ] || { p=0; f=1; }
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

VALGRIND=valgrind run_pass default build
VALGRIND= run_pass sanitizers build-asan SANITIZE=address,undefined

# the libFuzzer harnesses (tests/fuzz), a few seconds each on their
# corpus: the seeds, and the crash inputs kept there as regressions
echo "==== fuzz: libFuzzer harnesses, ${FUZZ_CHECK_SECONDS:-3} s each (build-fuzz)"
if make -s fuzz-build >"$LOG/fuzz.build" 2>&1 &&
    ! grep -q 'warning:' "$LOG/fuzz.build"; then
	sh tests/fuzz/run.sh build-fuzz "${FUZZ_CHECK_SECONDS:-3}" |
	    tee "$LOG/fuzz.out"
	p=$(tail -n 1 "$LOG/fuzz.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(tail -n 1 "$LOG/fuzz.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	[ -n "$p" ] || { p=0; f=1; }
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
else
	cat "$LOG/fuzz.build"
	echo "not ok - fuzz build failed (or has warnings)"
	total_fail=$((total_fail + 1))
fi

# real PXE boots in QEMU (root; each scenario is a TAP skip otherwise),
# once, against the sanitizer build
echo "==== e2e: real PXE boots (tests/e2e) against build-asan"
sh tests/e2e/run.sh build-asan | tee "$LOG/e2e.out"
p=$(tail -n 1 "$LOG/e2e.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(tail -n 1 "$LOG/e2e.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -n "$p" ] || { p=0; f=1; }
total_pass=$((total_pass + p))
total_fail=$((total_fail + f))

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
