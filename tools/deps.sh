#!/usr/bin/env bash
# Install the Debian packages a make target needs: with apt-get when run as
# root, otherwise name the packages and stop.
#   tools/deps.sh build|test|bench|fuzz
set -u
what=${1:-build}

# package:probe pairs; a probe is a command, a pkg-config module (pc:NAME)
# or a file (a path starting with /).
build_pkgs="gcc:cc make:make pkg-config:pkg-config libpcap-dev:pc:libpcap"
test_pkgs="$build_pkgs libcmocka-dev:pc:cmocka tshark:tshark tcpdump:tcpdump jq:jq
 ieee-data:/usr/share/ieee-data/oui.csv iproute2:ip ethtool:ethtool nftables:nft
 python3:python3 clang:clang procps:ps time:/usr/bin/time"
bench_pkgs="$test_pkgs iperf3:iperf3 tcpflow:tcpflow"
fuzz_pkgs="clang:clang libclang-rt-dev:fuzzer:libfuzzer"

case "$what" in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
bench) want=$bench_pkgs ;;
fuzz) want=$fuzz_pkgs ;;
*) echo "deps.sh: unknown set '$what' (build, test, bench or fuzz)" >&2; exit 2 ;;
esac

missing=""
for pair in $want; do
	pkg=${pair%%:*}
	probe=${pair#*:}
	case "$probe" in
	pc:*) pkg-config --exists "${probe#pc:}" 2>/dev/null && continue ;;
	fuzzer:*) # libFuzzer's runtime: can clang link a fuzz target?
		printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return d && n; }\n' |
			clang -x c - -fsanitize=fuzzer -o /dev/null >/dev/null 2>&1 && continue ;;
	/*) [ -e "$probe" ] && continue ;;
	*) command -v "$probe" >/dev/null 2>&1 && continue ;;
	esac
	missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "netlab: missing Debian packages:$missing" >&2
	echo "netlab: install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "netlab: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections 2>/dev/null || true
apt-get update -qq >&2 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || {
	echo "netlab: apt-get install$missing failed" >&2
	exit 1
}
