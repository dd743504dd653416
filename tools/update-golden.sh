#!/usr/bin/env bash
# Regenerate the golden expectations tests/golden/CAPTURE.MODE.txt from the
# current netlab (tests/integration/golden.sh lists them),
# then show what changed: review it (every change must be one you meant)
# before committing.
#   tools/update-golden.sh [NETLAB_BINARY]    (default: ./netlab, built first)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ $# -ge 1 ]; then
	bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
	make --no-print-directory netlab >/dev/null
	bin=$top/netlab
fi
NETLAB=$bin NETLAB_TOP=$top TZ=UTC LC_ALL=C NETLAB_UPDATE_GOLDEN=1 \
	bash tests/integration/golden.sh
if git rev-parse --git-dir >/dev/null 2>&1; then
	git status --short -- tests/golden
	git diff --stat -- tests/golden || true
fi
