#!/usr/bin/env bash
# Run the cmocka unit tests and the integration tests against one build
# directory, and end with one line "tests: N passed, N failed, N skipped".
#   tools/run-tests.sh BUILD_DIR
set -u
build=${1:?usage: run-tests.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
export NETLAB="$top/$build/netlab" NETLAB_BUILD="$top/$build" NETLAB_TOP="$top"
export TZ=UTC LC_ALL=C
passed=0 failed=0 skipped=0 failures=""

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests ($build)"
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	# a hung test must fail, not stall CI
	timeout -k 10 600 "$t" >"$log" 2>&1
	rc=$?
	[ "$rc" -eq 124 ] && echo "$name: timed out after 600 s" >>"$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or sanitizer report
	fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures="$failures $name"
		cat "$log"
	fi
	printf '  %-28s %4d passed %3d failed\n' "$name" "$p" "$f"
done

echo "== integration tests ($build)"
for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	case "$(basename "$s")" in lib.sh) continue ;; esac
	name=$(basename "$s" .sh)
	timeout -k 10 900 bash "$s" >"$log" 2>&1
	rc=$?
	[ "$rc" -eq 124 ] && echo "not ok - $name timed out after 900 s" >>"$log"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	k=$(grep -c '^skip ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
	if [ "$f" -ne 0 ]; then
		failures="$failures $name"
		grep -v '^ok ' "$log"
	fi
	grep '^skip ' "$log" | sed 's/^/  /'
	printf '  %-28s %4d passed %3d failed %3d skipped\n' "$name" "$p" "$f" "$k"
done

[ -n "$failures" ] && echo "failing:$failures"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
