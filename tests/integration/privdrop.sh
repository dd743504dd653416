#!/usr/bin/env bash
# Least privilege: `netlab sniff` stops being root once the capture and the
# -w file are open. In a private network namespace (made and removed here):
#  (a) -Z nobody: /proc/PID/status shows nobody's uid and gid (real,
#      effective, saved, fs) and only nobody's group while it captures, and
#      the -w file (in a root-only directory, opened before the drop) still
#      gets every packet;
#  (b) no -Z, started as root: the same, by default;
#  (c) -Z root keeps root;
#  (d) -Z with an unknown user: exit status 1 and one "netlab:" line, before
#      a single packet is read;
#  (e) run as nobody from a copy with file capabilities CAP_NET_RAW and
#      CAP_NET_ADMIN (no root at all): it captures, then holds no
#      capability (CapPrm/CapEff 0) while it runs.
# Needs root (namespaces, capture) and python3; skips otherwise.
. "$(dirname "$0")/lib.sh"

if ! is_root; then
	skip "privilege drop: needs root"
	exit 0
fi
for t in ip python3; do
	if ! command -v "$t" >/dev/null; then
		skip "privilege drop: needs $t"
		exit 0
	fi
done
if ! getent passwd nobody >/dev/null; then
	skip "privilege drop: no user 'nobody'"
	exit 0
fi
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)

NS=nlpriv$$
sniff_pid=""
cleanup() {
	[ -n "$sniff_pid" ] && kill -KILL "$sniff_pid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT
if ! ip netns add "$NS" 2>/dev/null || ! ip netns exec "$NS" ip link set lo up; then
	skip "privilege drop: cannot make a network namespace"
	exit 0
fi
chmod 0700 "$TMPD"

send_udp() {
	ip netns exec "$NS" python3 - <<'EOF'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"privdrop %d" % i, ("127.0.0.1", 9999))
    time.sleep(0.02)
EOF
}

stop_sniff() {
	sleep 0.5
	kill -TERM "$sniff_pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$sniff_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$sniff_pid" 2>/dev/null
	wait "$sniff_pid"
	stop_rc=$?
	sniff_pid=""
}

# ids FIELD: "real effective saved fs" of Uid:/Gid:, or the Groups: list
ids() {
	sed -n "s/^$1:[[:space:]]*//p" "/proc/$sniff_pid/status" | tr -s '[:space:]' ' ' | sed 's/ $//'
}

# run_case NAME WANT_UID WANT_GID ARGS...: sniff with ARGS, check its ids
run_case() {
	local name=$1 want_uid=$2 want_gid=$3
	shift 3
	local out=$TMPD/$name.out pcap=$TMPD/$name.pcap
	ip netns exec "$NS" "$NETLAB" sniff "$@" -w "$pcap" lo udp port 9999 >"$out" 2>"$out.err" &
	sniff_pid=$!
	if ! wait_for_capture "$NS" "$sniff_pid"; then
		not_ok "privdrop $name: sniff started"
		sed 's/^/    stderr: /' "$out.err" | head -n 5
		wait "$sniff_pid"
		sniff_pid=""
		return
	fi
	send_udp
	local uid gid groups
	uid=$(ids Uid) gid=$(ids Gid) groups=$(ids Groups)
	stop_sniff
	check_eq "privdrop $name: uid (real effective saved fs)" \
		"$want_uid $want_uid $want_uid $want_uid" "$uid"
	check_eq "privdrop $name: gid (real effective saved fs)" \
		"$want_gid $want_gid $want_gid $want_gid" "$gid"
	if [ "$want_uid" != 0 ]; then
		check_eq "privdrop $name: supplementary groups" "$want_gid" "$groups"
	fi
	check_eq "privdrop $name: exit status after SIGTERM" 0 "$stop_rc"
	local n
	n=$("$NETLAB" replay "$pcap" 2>/dev/null | grep -c ' > 127\.0\.0\.1:9999 UDP')
	if [ "$n" -eq 5 ]; then
		ok "privdrop $name: -w file in a root-only directory has the 5 packets"
	else
		not_ok "privdrop $name: -w file holds the 5 packets (found $n)"
		"$NETLAB" replay "$pcap" 2>&1 | head -n 8 | sed 's/^/    /'
	fi
}

run_case explicit "$nobody_uid" "$nobody_gid" -Z nobody
run_case default "$nobody_uid" "$nobody_gid"
run_case keep-root 0 0 -Z root

# An unknown user: refused before any packet is read.
ip netns exec "$NS" timeout 10 "$NETLAB" sniff -Z no-such-user-nl -c 1 lo >"$TMPD/bad.out" 2>"$TMPD/bad.err"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$TMPD/bad.err")" -eq 1 ] &&
	grep -q "^netlab: .*no user 'no-such-user-nl'" "$TMPD/bad.err"; then
	ok "privdrop: unknown -Z user is refused (exit 1, one error line)"
else
	not_ok "privdrop: unknown -Z user: exit $rc"
	sed 's/^/    /' "$TMPD/bad.err" | head -n 5
fi
# (e) file capabilities instead of root
capdir=""
if ! command -v setcap >/dev/null || ! command -v setpriv >/dev/null; then
	skip "privdrop file capabilities: needs setcap and setpriv"
elif ! capdir=$(mktemp -d /tmp/nlcap.XXXXXX) || ! chmod 0755 "$capdir" ||
	! cp "$NETLAB" "$capdir/netlab" || ! chmod 0755 "$capdir/netlab" ||
	! setcap cap_net_raw,cap_net_admin+ep "$capdir/netlab" 2>/dev/null; then
	skip "privdrop file capabilities: cannot set file capabilities here"
else
	out=$TMPD/caps.out
	ip netns exec "$NS" setpriv --reuid="$nobody_uid" --regid="$nobody_gid" --clear-groups \
		"$capdir/netlab" sniff lo udp port 9999 >"$out" 2>"$out.err" &
	sniff_pid=$!
	if ! wait_for_capture "$NS" "$sniff_pid"; then
		not_ok "privdrop file capabilities: sniff as nobody started"
		sed 's/^/    stderr: /' "$out.err" | head -n 5
		wait "$sniff_pid"
		sniff_pid=""
	else
		send_udp
		uid=$(ids Uid) capprm=$(ids CapPrm) capeff=$(ids CapEff)
		stop_sniff
		check_eq "privdrop file capabilities: runs as nobody" \
			"$nobody_uid $nobody_uid $nobody_uid $nobody_uid" "$uid"
		check_eq "privdrop file capabilities: no capability left (CapPrm CapEff)" \
			"0000000000000000 0000000000000000" "$capprm $capeff"
		check_eq "privdrop file capabilities: the 5 packets captured" 5 \
			"$(grep -c ' > 127\.0\.0\.1:9999 UDP' "$out")"
	fi
fi
[ -n "$capdir" ] && rm -rf "$capdir"

check_rc "privdrop: -Z is for live capture only" 2 "$NETLAB" replay -Z nobody captures/udp-exchange.pcap
