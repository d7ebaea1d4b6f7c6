#!/bin/sh
# make check: build warning-free (warnings are errors), run the whole suite
# (unit tests under valgrind) on the SQLite store, then build with
# ASan+UBSan and run the whole suite again, its integration tests on the
# PostgreSQL store (a throw-away cluster, tests/pg/pgcluster.py). The last
# line is the total "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
JOBS=$(nproc 2>/dev/null || echo 2)
LOG=$(mktemp -d)
PGDIR=
trap 'pg_stop; rm -rf "$LOG"' EXIT
trap 'exit 130' INT TERM HUP
total_pass=0
total_fail=0

# the throw-away PostgreSQL cluster of the pass that uses it: exports
# POOLBOOT_TEST_PG (its admin conninfo), or prints one "not ok" line with
# the reason and returns 1
pg_start() {
	PGDIR=$(mktemp -d /tmp/pbpg.XXXXXX) &&
	    POOLBOOT_TEST_PG=$(python3 tests/pg/pgcluster.py start "$PGDIR" \
	    2>"$LOG/pg.err") && [ -n "$POOLBOOT_TEST_PG" ] && {
		# its data folder: test_failover stops and starts the server
		POOLBOOT_TEST_PGDATA=$PGDIR/data
		export POOLBOOT_TEST_PG POOLBOOT_TEST_PGDATA
		echo "# PostgreSQL store: $POOLBOOT_TEST_PG"
		return 0
	}
	echo "not ok - PostgreSQL test cluster did not start:" \
	    "$(tr '\n' ' ' <"$LOG/pg.err")"
	pg_stop
	return 1
}

pg_stop() {
	unset POOLBOOT_TEST_PG POOLBOOT_TEST_PGDATA
	[ -n "$PGDIR" ] || return 0
	python3 tests/pg/pgcluster.py stop "$PGDIR" || rm -rf "$PGDIR"
	PGDIR=
}

run_pass() {	# name build-dir make-args... ; then runs the suite
	# (on the PostgreSQL store when PASS_PG=1)
	name=$1; build=$2; shift 2
	echo "==== $name: build ($build)"
	if ! make -s -j"$JOBS" BUILD="$build" WERROR=1 "$@" \
	    "$build/poolboot" unit >"$LOG/$build.build" 2>&1; then
		cat "$LOG/$build.build"
		echo "not ok - $name build failed"
		total_fail=$((total_fail + 1))
		return
	fi
	if grep -q 'warning:' "$LOG/$build.build"; then
		cat "$LOG/$build.build"
		echo "not ok - $name build has warnings"
		total_fail=$((total_fail + 1))
	fi
	echo "==== $name: tests"
	if [ "${PASS_PG:-}" = 1 ] && ! pg_start; then
		# the suite runs all the same (on SQLite): the sanitizers' part
		total_fail=$((total_fail + 1))
	fi
	sh tests/run-suite.sh "$build" $VALGRIND | tee "$LOG/$build.out"
	pg_stop
	p=$(tail -n 1 "$LOG/$build.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(tail -n 1 "$LOG/$build.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	[ -n "$p" ] || { p=0; f=1; }
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

VALGRIND=valgrind PASS_PG= run_pass "default (SQLite store)" build
VALGRIND= PASS_PG=1 run_pass "sanitizers, PostgreSQL store" build-asan \
    SANITIZE=address,undefined

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
