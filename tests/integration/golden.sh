#!/usr/bin/env bash
# Golden tests: each shipped capture (the first three, and the stream-
# analysis ones: gen-*, py-*, simclose) replayed in several output modes,
# the output compared byte for byte with tests/golden/CAPTURE.MODE.txt (a
# diff is shown on failure). Also: exit status 0 and nothing on stderr.
#
# Regenerate the expectations with tools/update-golden.sh (it runs this
# script with NETLAB_UPDATE_GOLDEN=1) and review the diff before committing.
#
# Vendor names come from a fixture (tests/golden/ieee-data/oui.csv, one line
# of the IEEE registry), not from the installed ieee-data, so the output does
# not change with the ieee-data version. TZ=UTC comes from run-tests.sh.
. "$(dirname "$0")/lib.sh"
export NETLAB_IEEE_DATA=$NETLAB_TOP/tests/golden/ieee-data TZ=UTC LC_ALL=C
gold=tests/golden
update=${NETLAB_UPDATE_GOLDEN:-}

# capture  mode-name  options (empty: the default one-line output)
cases="
tcp-small-sends  default
tcp-small-sends  e              -e
tcp-small-sends  v              -v
tcp-small-sends  X              -X
tcp-small-sends  json           --json
tcp-small-sends  q              -q
tcp-small-sends  time-relative  --time relative
tcp-small-sends  e-v-count      -e -v -c 4
arp-netns        default
arp-netns        e              -e
arp-netns        v              -v
arp-netns        json           --json
arp-netns        q              -q
arp-netns        time-delta     --time delta
udp-exchange     default
udp-exchange     v              -v
udp-exchange     x              -x
udp-exchange     json           --json
udp-exchange     q              -q
udp-exchange     time-relative  --time relative
udp-exchange     json-q         --json -q
gen-merge-split    default
gen-merge-split    json           --json
gen-merge-split    v              -v
gen-merge-split    messages       --messages
gen-merge-split    map            --map
gen-merge          default
gen-merge          messages       --messages
gen-split          default
gen-split          map            --map
gen-framed         default
gen-framed         json           --json
gen-framed         messages       --messages
gen-jsonhdr        default
gen-jsonhdr        messages       --messages
gen-jsonhdr        map            --map
gen-ready          default
gen-ready          messages       --messages
gen-udp            default
gen-udp            json           --json
gen-refused        default
gen-refused        json           --json
gen-reset          default
gen-reset          json           --json
gen-reset          messages       --messages
gen-retrans        default
gen-retrans        messages       --messages
gen-retrans        json-q         --json -q
simclose           default
simclose           json           --json
py-structpack      default
py-structpack      messages       --messages
py-structpack-mss  default
py-structpack-mss  map            --map
py-upload          default
py-upload          messages       --messages
py-upload-mss      default
py-upload-mss      messages       --messages
py-ready           default
py-ready           messages       --messages
py-ready-mss       default
py-ready-mss       map            --map
"

n=0
while read -r cap mode opts; do
	[ -n "$cap" ] || continue
	file=captures/$cap.pcap
	want=$gold/$cap.$mode.txt
	name="golden $cap ${opts:-(default)}"
	if [ ! -f "$file" ]; then
		not_ok "$name: $file is missing (tools/make-captures.sh)"
		continue
	fi
	# shellcheck disable=SC2086
	"$NETLAB" replay $opts "$file" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	n=$((n + 1))
	if [ -n "$update" ]; then
		cp "$TMPD/out" "$want"
		echo "# wrote $want (exit status $rc)"
		if [ "$rc" -ne 0 ] || [ -s "$TMPD/err" ]; then
			echo "# warning: $name: exit status $rc, stderr:"
			sed 's/^/#   /' "$TMPD/err"
		fi
		continue
	fi
	if [ ! -f "$want" ]; then
		not_ok "$name: no expected output $want (tools/update-golden.sh)"
		continue
	fi
	if [ "$rc" -ne 0 ] || [ -s "$TMPD/err" ]; then
		not_ok "$name: exit status $rc"
		sed 's/^/    stderr: /' "$TMPD/err" | head -n 5
	elif diff -u "$want" "$TMPD/out" >"$TMPD/diff"; then
		ok "$name"
	else
		not_ok "$name: output differs from $want"
		sed 's/^/    /' "$TMPD/diff" | head -n 60
	fi
done <<<"$cases"

# --json output must parse line by line, whatever the expectation says.
if command -v jq >/dev/null && [ -z "$update" ]; then
	for f in captures/*.pcap; do
		[ -f "$f" ] || continue
		if "$NETLAB" replay --json "$f" 2>/dev/null | jq -ce . >/dev/null 2>&1; then
			ok "golden $(basename "$f") --json parses as JSON Lines"
		else
			not_ok "golden $(basename "$f") --json parses as JSON Lines"
		fi
	done
fi
[ -n "$update" ] && echo "# $n expectations written"
exit 0
