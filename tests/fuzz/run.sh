#!/usr/bin/env bash
# Run the libFuzzer targets: `make fuzz-run SECONDS=N` calls this.
#   tests/fuzz/run.sh FUZZ_BUILD SECONDS [TARGET...]
# For each target: replay every crash reproducer under
# tests/fuzz/regressions/TARGET/ (each run once), then fuzz for SECONDS on
# the committed corpus tests/fuzz/corpus/TARGET/ plus seeds made from
# captures/ and the unit tests (tests/fuzz/make-corpus.py). SECONDS=0 only
# replays the reproducers and the corpus. New inputs go to
# FUZZ_BUILD/scratch/TARGET, crashes to FUZZ_BUILD/artifacts/TARGET/, logs to
# FUZZ_BUILD/logs/. Exit status 1 if any target failed.
set -u
build=${1:?usage: run.sh FUZZ_BUILD SECONDS [TARGET...]}
secs=${2:?usage: run.sh FUZZ_BUILD SECONDS [TARGET...]}
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
fi
export TZ=UTC
# leaks are real bugs for a long-running sniffer; UBSan must stop the run
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

python3 tests/fuzz/make-corpus.py "$build/seeds" || exit 1
mkdir -p "$build/logs"
failed=""
for t in $targets; do
	bin=$build/$t
	if [ ! -x "$bin" ]; then
		echo "fuzz: $t: not built (make fuzz)"
		failed="$failed $t"
		continue
	fi
	regs=()
	if [ -d "tests/fuzz/regressions/$t" ]; then
		while IFS= read -r f; do regs+=("$f"); done < <(find "tests/fuzz/regressions/$t" -type f ! -name '*.md' | sort)
	fi
	if [ ${#regs[@]} -gt 0 ]; then
		if "$bin" "${regs[@]}" >"$build/logs/$t.regressions.log" 2>&1; then
			echo "fuzz: $t: ${#regs[@]} reproducers replayed, all pass"
		else
			echo "fuzz: $t: a reproducer fails (see $build/logs/$t.regressions.log)"
			grep -E 'ERROR|SUMMARY|fuzz check failed|runtime error' "$build/logs/$t.regressions.log" | head -n 5
			failed="$failed $t"
		fi
	fi
	mkdir -p "$build/scratch/$t" "$build/artifacts/$t" "tests/fuzz/corpus/$t"
	if [ "$secs" -eq 0 ]; then
		args=(-runs=0)
	else
		args=(-max_total_time="$secs")
	fi
	log=$build/logs/$t.log
	if nice -n 10 "$bin" "${args[@]}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
		"$build/scratch/$t" "tests/fuzz/corpus/$t" "$build/seeds/$t" \
		>"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
		echo "fuzz: $t: ok, ${secs}s, ${execs:-?} runs, ${rate:-?}/s, ${cov:-cov ?}"
	else
		echo "fuzz: $t: FAILED (log $log, inputs in $build/artifacts/$t/)"
		grep -E '^==.*ERROR|SUMMARY|fuzz check failed|runtime error' "$log" | head -n 5
		failed="$failed $t"
	fi
done
n_failed=$(echo $failed | wc -w)
n_targets=$(ls "$build"/fuzz_* 2>/dev/null | grep -vc '\.d$')
echo "fuzz: $((n_targets - n_failed)) passed, $n_failed failed"
if [ -n "$failed" ]; then
	echo "fuzz: failing:$failed"
	exit 1
fi
