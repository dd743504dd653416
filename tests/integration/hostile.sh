#!/usr/bin/env bash
# Hostile captures (tests/hostile/make-hostile.py): broken containers, every
# link type cut short, self-contradicting IP/TCP/ARP headers, terminal escape
# sequences in payloads. Each file is replayed in every output mode netlab
# has; for each: no crash and no hang (timeout 10), exit status 0, 1, 3 or 4,
# exactly one "netlab:" line on stderr when it is not 0 (and nothing but
# warnings when it is), every --json line a JSON object (jq), nothing outside
# printable ASCII and newline on stdout, and for the files with a known
# answer the packet count and exit status. A few files also run under
# valgrind when it is installed and the binary is not built with ASan.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
	skip "hostile: needs python3 and jq"
	exit 0
fi
corpus=$TMPD/hostile
if ! python3 tests/hostile/make-hostile.py "$corpus" >"$TMPD/gen.log" 2>&1; then
	not_ok "hostile: make-hostile.py failed"
	sed 's/^/    /' "$TMPD/gen.log"
	exit 0
fi
ok "hostile: corpus generated ($(wc -l <"$corpus/EXPECT") files)"

# Output modes: the basic ones, plus each later one --help lists as a flag
# (an option followed by its description, or with an optional =ARG).
modes=("" "-v" "-X" "-e" "--json")
help=$("$NETLAB" replay --help 2>&1)
for m in --conns --ladder --messages --map --follow; do
	if printf '%s\n' "$help" | grep -Eq -- "^ +(-[a-zA-Z], )?$m(\[=[A-Z]+\])?( {2,}|$)"; then
		modes+=("$m")
	elif printf '%s\n' "$help" | grep -Eq -- "^ +$m ID( {2,}|$)"; then
		modes+=("$m=1") # --follow ID: the first connection
	fi
done

# no_raw FILE: true when FILE holds only printable ASCII and newlines
no_raw() {
	! LC_ALL=C grep -aqP '[^\x20-\x7e]' "$1"
}

# one_error FILE: exactly one line, "netlab: ..."
one_error() {
	[ "$(wc -l <"$1")" -eq 1 ] && grep -q '^netlab: ' "$1"
}

# only_warnings FILE: empty, or every line a "netlab: warning: ..."
only_warnings() {
	! grep -qv '^netlab: warning: ' "$1"
}

json_lines_ok() {
	jq -R -e 'fromjson | type == "object"' "$1" >/dev/null 2>&1
}

out=$TMPD/out err=$TMPD/err
while read -r name want_packets want_status; do
	f=$corpus/$name
	problems=""
	for m in "${modes[@]}"; do
		label=${m:-default}
		# shellcheck disable=SC2086 # $m is one word or empty
		LC_ALL=C timeout 10 "$NETLAB" replay $m "$f" >"$out" 2>"$err"
		rc=$?
		case $rc in
		0 | 1 | 3 | 4) ;;
		124)
			problems="$problems\n    $label: hung (killed after 10 s)"
			continue
			;;
		*)
			problems="$problems\n    $label: exit status $rc"
			problems="$problems\n$(head -n 8 "$err" | sed 's/^/      /')"
			continue
			;;
		esac
		if [ "$rc" -ne 0 ] && ! one_error "$err"; then
			problems="$problems\n    $label: exit $rc without exactly one 'netlab:' line:"
			problems="$problems\n$(head -n 8 "$err" | sed 's/^/      /')"
		elif [ "$rc" -eq 0 ] && ! only_warnings "$err"; then
			problems="$problems\n    $label: unexpected stderr:"
			problems="$problems\n$(head -n 8 "$err" | sed 's/^/      /')"
		fi
		if ! no_raw "$out"; then
			problems="$problems\n    $label: raw bytes outside printable ASCII on stdout:"
			problems="$problems\n$(LC_ALL=C grep -anP '[^\x20-\x7e]' "$out" | head -n 3 | cat -v | sed 's/^/      /')"
		fi
		if [ "$want_status" != "-" ] && [ "$rc" -ne "$want_status" ]; then
			problems="$problems\n    $label: exit status $rc, expected $want_status"
		fi
		if [ "$m" = "--json" ]; then
			if ! json_lines_ok "$out"; then
				problems="$problems\n    --json: a line is not a JSON object"
			fi
			n=$(grep -c '^{"type":"packet"' "$out")
			if [ "$want_packets" != "-" ] && [ "$n" -ne "$want_packets" ]; then
				problems="$problems\n    --json: $n packets reported, expected $want_packets"
			fi
		fi
	done
	if [ -z "$problems" ]; then
		ok "hostile $name (${#modes[@]} modes)"
	else
		not_ok "hostile $name"
		printf '%b\n' "$problems" | sed '/^$/d'
	fi
done <"$corpus/EXPECT"

# Terminal safety under a UTF-8 locale too: the only characters beyond ASCII
# are netlab's own box drawing (U+2500-U+25FF), never a control character.
esc=$corpus/terminal-escapes-conn.pcap
bad=""
for m in "${modes[@]}"; do
	# shellcheck disable=SC2086
	LC_ALL=C.UTF-8 timeout 10 "$NETLAB" replay $m "$esc" >"$out" 2>/dev/null
	if ! python3 - "$out" <<'EOF'; then
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("invalid UTF-8 at byte %d" % e.start)
for i, ch in enumerate(text):
    o = ord(ch)
    if ch == "\n" or 0x20 <= o <= 0x7E or 0x2500 <= o <= 0x25FF:
        continue
    sys.exit("U+%04X at character %d" % (o, i))
EOF
		bad="$bad ${m:-default}"
	fi
done
if [ -z "$bad" ]; then
	ok "hostile: terminal escapes never reach stdout raw (UTF-8 locale)"
else
	not_ok "hostile: raw control or non-drawing characters in:$bad"
fi

# valgrind: memcheck on a few of the nastiest files (the release build; an
# ASan binary cannot run under valgrind).
if ! command -v valgrind >/dev/null; then
	skip "hostile valgrind: valgrind not installed"
elif grep -aq __asan_init "$NETLAB"; then
	skip "hostile valgrind: $NETLAB is built with ASan (run with the release build)"
else
	for name in ipv6-extension-headers.pcap tcp-options.pcap arp-hardware-length.pcap \
		link-linux-sll2-truncated.pcap cut-mid-record-data.pcap pcapng-unknown-blocks.pcapng; do
		LC_ALL=C timeout 60 valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$NETLAB" replay -v -X --conns \
			"$corpus/$name" >/dev/null 2>"$err"
		rc=$?
		if [ "$rc" -eq 99 ] || [ "$rc" -ge 124 ]; then
			not_ok "hostile valgrind $name: exit status $rc"
			grep -v '^netlab: ' "$err" | head -n 20 | sed 's/^/    /'
		else
			ok "hostile valgrind $name"
		fi
	done
fi
