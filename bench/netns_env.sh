# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced at the top level of each namespace benchmark (odata_fwd.sh,
# nak_flood.sh, ncf_send.sh): where the programs are, then the test and
# benchmark helpers. Not a function: tests/system/lib.sh declares its
# tables with a top-level `declare -A`, which must stay global.
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$HERE/../bin}
# lib.sh runs the programs from PGMNE_BIN.
export PGMNE_BIN
PGMNE_BIN=$(cd "$BIN" 2>/dev/null && pwd) ||
	{ echo "$(basename "$0" .sh): SKIP (no $BIN)"; exit 77; }
# shellcheck source=tests/system/lib.sh
. "$HERE/../tests/system/lib.sh"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
