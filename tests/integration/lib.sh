# Helpers for integration tests. Each check prints one TAP-like line:
# "ok - NAME", "not ok - NAME" (with details after it) or "skip - NAME: WHY".
# tools/run-tests.sh counts them. NETLAB points at the binary under test.
set -u
: "${NETLAB:?NETLAB must point at the netlab binary}"
: "${NETLAB_TOP:?}"
cd "$NETLAB_TOP" || exit 2
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

# check NAME COMMAND...: ok when the command exits 0.
check() {
	local name=$1
	shift
	if "$@" >"$TMPD/check.out" 2>&1; then
		ok "$name"
	else
		not_ok "$name"
		sed 's/^/    /' "$TMPD/check.out" | head -n 40
	fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: expected '$2', got '$3'"
	fi
}

# check_rc NAME EXPECTED_STATUS COMMAND...
check_rc() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$TMPD/check.out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$name"
	else
		not_ok "$name: exit status $rc, expected $want"
		sed 's/^/    /' "$TMPD/check.out" | head -n 20
	fi
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# wait_for_capture NS PID: until a packet socket is open in namespace NS
# (the namespace is private: ours is the only one), false if the capture
# process PID ended first or it took 5 s.
wait_for_capture() {
	for _ in $(seq 100); do
		if [ "$(ip netns exec "$1" cat /proc/net/packet 2>/dev/null | wc -l)" -gt 1 ]; then
			sleep 0.3 # the BPF filter is attached just after the socket opens
			return 0
		fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
