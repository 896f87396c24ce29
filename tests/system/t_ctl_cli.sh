#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pgmnectl against ctl_fixture (a control socket over fixed engine state):
#  - every -j output parses and carries the fixture's values; the
#    --prometheus output is valid text exposition format;
#  - the socket is 0660: a user outside its group gets "permission
#    denied" (exit 5), a member of the group is served;
#  - a client sending garbage is dropped and a client that never reads is
#    dropped, while pgmnectl keeps being served;
#  - a table larger than any daemon buffer (over 30,000 repair states) comes
#    through whole, in JSON and in plain;
#  - a daemon answering in another protocol version or with malformed or
#    cut-short replies gets a one-line diagnosis and exit 1;
#  - watch ends cleanly (exit 0) on SIGINT;
#  - a stopped daemon (socket gone, or left behind with nobody listening)
#    is "daemon not running" (exit 4); a new daemon replaces a stale
#    socket but never a live one.
. "$(dirname "$0")/lib.sh"
require_cmd python3 jq setpriv
require_bin pgmnectl ctl_fixture

S=$T/fx.ctl
host_add h   # the processes' home; the socket lives in the file system

ctl() { "$(bin pgmnectl)" -s "$S" "$@"; }

fixture_start() {
	bg_start h "$1" "$(bin ctl_fixture)" "$S"
	bg_wait_log "$1" '^ready' 15 || fail "ctl_fixture $1 did not start"
}

# expect_rc RC MSG-REGEX CMD...: exit status RC and one stderr line matching.
expect_rc() {
	local want=$1 re=$2 rc=0; shift 2
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$*: exit $rc, want $want ($(cat "$T/err"))"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$*: not one line on stderr: $(cat "$T/err")"
	grep -Eq -- "$re" "$T/err" || fail "$*: stderr '$(cat "$T/err")' !~ /$re/"
}

fixture_start fx1

# --- JSON carries the values ---
for c in "show interfaces" "show sessions" "show state" "show traffic" "show traffic dn1"; do
	# shellcheck disable=SC2086
	ctl -j $c >"$T/j" || fail "pgmnectl -j $c failed"
	python3 -m json.tool "$T/j" >/dev/null || fail "pgmnectl -j $c: invalid JSON"
done
ctl -j show sessions | jq -e '.sessions | length == 2' >/dev/null || fail "two sessions"
ctl -j show sessions |
	jq -e '.sessions[0] | .group == "239.1.1.1" and .upstream_interface == "up0" and
	       .spm_sqn == 2 and .repair_states == 4' >/dev/null || fail "session values"
ctl -j show state 239.1.1.1 |
	jq -e '[.repair_states[].state] == ["pending", "confirmed", "anticipated", "anticipated"]' >/dev/null ||
	fail "repair state phases"
ctl -j show traffic dn1 |
	jq -e '.interfaces[0].counters.InNaks == 3 and .malformed.bad_checksum == 1 and
	       .sessions == 2' >/dev/null || fail "traffic values"
ctl -j show interfaces | jq -e '[.interfaces[] | select(.enabled)] | length == 3' >/dev/null ||
	fail "three enabled interfaces"

# --- Prometheus text format: # HELP/# TYPE before samples, one TYPE each ---
ctl show traffic --prometheus >"$T/prom" || fail "--prometheus failed"
python3 - "$T/prom" <<'EOF' || fail "invalid Prometheus exposition"
import re, sys
name_re = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
sample = re.compile(r'^(%s)(\{(%s)="(?:[^"\\\n]|\\.)*"(,(%s)="(?:[^"\\\n]|\\.)*")*\})? (\d+)$'
                    % (name_re, name_re, name_re))
typed, seen_samples = {}, 0
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip('\n')
    m = re.match(r'^# (HELP|TYPE) (%s) (.+)$' % name_re, line)
    if m:
        if m.group(1) == 'TYPE':
            if m.group(2) in typed or m.group(3) not in ('counter', 'gauge'):
                sys.exit('line %d: bad or repeated TYPE' % n)
            typed[m.group(2)] = m.group(3)
        continue
    m = sample.match(line)
    if not m or m.group(1) not in typed:
        sys.exit('line %d: not a sample of a typed family: %r' % (n, line))
    if typed[m.group(1)] == 'counter' and not m.group(1).endswith('_total'):
        sys.exit('line %d: counter without _total' % n)
    seen_samples += 1
if seen_samples < 4 * 36:
    sys.exit('only %d samples' % seen_samples)
EOF
grep -q '^pgmne_in_naks_total{interface="dn1"} 3$' "$T/prom" || fail "InNaks of dn1 in Prometheus"

# --- permissions: 0660, group members only ---
[ "$(stat -c %a "$S")" = 660 ] || fail "socket mode $(stat -c %a "$S"), want 660"
chmod 755 "$T"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
expect_rc 5 '^pgmnectl: permission denied' as_nobody "$(bin pgmnectl)" -s "$S" show sessions
chgrp 65534 "$S"
as_nobody "$(bin pgmnectl)" -s "$S" show sessions >/dev/null ||
	fail "a member of the socket's group is not served"

# The control protocol's version (common/ctlproto.h) for the raw messages below.
V=$(awk '$1 == "#define" && $2 == "CTL_VERSION" { print $3 }' \
	"$(dirname "$0")/../../common/ctlproto.h")
[ -n "$V" ] || die "no CTL_VERSION in common/ctlproto.h"

# --- garbage and a client that never reads ---
python3 - "$S" "$(bin pgmnectl)" "$V" <<'EOF' || fail "misbehaving clients"
import socket, subprocess, sys, time
path, nectl, V = sys.argv[1], sys.argv[2], int(sys.argv[3])

def served():
    t = time.monotonic()
    r = subprocess.run([nectl, '-s', path, 'show', 'sessions'], capture_output=True, timeout=10)
    return r.returncode == 0 and time.monotonic() - t < 5

# garbage: one ERROR message (type 71) comes back, then the connection closes
g = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
g.settimeout(5)
g.connect(path)
g.sendall(b'GET / HTTP/1.0\r\n\r\n')
data = b''
while True:
    chunk = g.recv(4096)
    if not chunk:
        break
    data += chunk
if len(data) < 6 or data[1] != 71:
    sys.exit('garbage client: no ERROR before close: %r' % data)
if not served():
    sys.exit('not served after the garbage client')

# never reads: pipeline "show traffic" requests until the daemon lets go
# version V, type 4 (show traffic), 30 payload bytes: type, flags, group, TSI, ifname
req = bytes([V, 4, 0, 30, 4]) + bytes(29)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.setblocking(False)
dropped, deadline = False, time.monotonic() + 60
for i in range(1000000):
    if time.monotonic() > deadline:
        break
    try:
        s.send(req)
    except BlockingIOError:
        time.sleep(0.001)  # our own send buffer is full: give the daemon a turn
    except (BrokenPipeError, ConnectionResetError):
        dropped = True
        break
    if i % 2000 == 0 and not served():
        sys.exit('not served while a client does not read (request %d)' % i)
if not dropped:
    sys.exit('the client that never reads was not dropped')
if not served():
    sys.exit('not served after dropping the slow client')
EOF
grep -q 'client does not read its replies, dropped' "$T/fx1.log" ||
	fail "the slow client was not dropped for not reading"
grep -q 'dropping client: malformed' "$T/fx1.log" && fail "a well-formed request was refused"

# --- a big table streams through whole ---
bg_start h fxbig "$(bin ctl_fixture)" -b 500 "$T/big.ctl"
bg_wait_log fxbig '^ready' 60 || fail "ctl_fixture -b did not start"
held=$("$(bin pgmnectl)" -s "$T/big.ctl" -j show traffic | jq .repair_states)
[ "$held" -gt 30000 ] || fail "big fixture holds only $held repair states"
"$(bin pgmnectl)" -s "$T/big.ctl" -j show state >"$T/big.json" || fail "show state of a big table"
[ "$(jq '.repair_states | length' "$T/big.json")" = "$held" ] ||
	fail "JSON shows $(jq '.repair_states | length' "$T/big.json") of $held repair states"
shown=$("$(bin pgmnectl)" -s "$T/big.ctl" show state | wc -l)
[ "$shown" -eq $((held + 1)) ] || fail "plain shows $((shown - 1)) of $held repair states"
bg_stop fxbig || fail "big fixture did not stop cleanly"

# --- a daemon that answers badly: scripted replies, one connection each ---
cat >"$T/fake.py" <<'EOF'
import os, socket, sys
path, V = sys.argv[1], int(sys.argv[2])
replies = [
    bytes([V + 1, 71, 0, 0]),                      # another version's ERROR
    bytes([V, 65, 0, 3, 1, 2, 3]),                 # session record 3 bytes long
    bytes([V, 65, 0xFF, 0xFF]),                    # longer than any message
    b'',                                           # closes before END
    bytes([V, 99, 0, 0]),                          # unknown record type
    bytes([V, 71, 0, 4, 0, 2, 0x1b, 0x5b]),        # ERROR text with ESC
    bytes([V, 71, 0, 5, 0, 4, 0x62, 0x61, 0x64]),  # ERROR bad argument "bad"
]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
print('listening', flush=True)
for r in replies:
    c, _ = srv.accept()
    c.settimeout(10)
    got = b''
    while len(got) < 34:            # one whole request
        chunk = c.recv(34 - len(got))
        if not chunk:
            break
        got += chunk
    c.sendall(r)
    c.close()
os.unlink(path)
EOF
bg_start h fake python3 "$T/fake.py" "$T/fake.ctl" "$V"
bg_wait_log fake '^listening' 10 || fail "fake daemon did not start"
fake() { expect_rc "$1" "$2" "$(bin pgmnectl)" -s "$T/fake.ctl" show sessions; }
fake 1 "^pgmnectl: daemon speaks control protocol version $((V + 1)), pgmnectl speaks $V\$"
fake 1 '^pgmnectl: malformed session record from daemon$'
fake 1 '^pgmnectl: malformed reply from daemon: message too long$'
fake 1 '^pgmnectl: daemon closed the connection before the reply ended$'
fake 1 '^pgmnectl: malformed unknown record from daemon$'
fake 1 '^pgmnectl: malformed error message from daemon$'
fake 3 '^pgmnectl: bad$'
bg_wait fake 10 || fail "fake daemon did not see every request"

# --- watch ends cleanly on SIGINT ---
bg_start h watch "$(bin pgmnectl)" -s "$S" watch show sessions
bg_wait_log watch '^TSI' 10 || fail "watch printed nothing"
kill -INT "$(bg_pid watch)"
rc=0
bg_wait watch 5 || rc=$?
[ "$rc" -eq 0 ] || fail "watch exited $rc on SIGINT"

# --- a live daemon is not hijacked ---
bg_start h fx2 "$(bin ctl_fixture)" "$S"
rc=0
bg_wait fx2 10 || rc=$?
[ "$rc" -eq 1 ] || fail "second daemon on a live socket exited $rc, want 1"
grep -q 'another daemon is listening' "$T/fx2.log" || fail "no reason given: $(cat "$T/fx2.log")"
ctl show sessions >/dev/null || fail "first daemon lost its socket"

# --- stopped daemon ---
bg_stop fx1 || fail "ctl_fixture did not stop cleanly"
[ ! -e "$S" ] || fail "socket left behind after a clean stop"
expect_rc 4 '^pgmnectl: daemon not running: no control socket' ctl show sessions
# a socket file nobody listens on (what a killed daemon leaves)
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$S"
expect_rc 4 '^pgmnectl: daemon not running: nobody listens' ctl show sessions
fixture_start fx3
ctl show sessions >/dev/null || fail "stale socket was not replaced"

# --- usage errors do not need a daemon ---
expect_rc 2 "unknown command 'frobnicate'; commands: show interfaces" ctl frobnicate
expect_rc 3 "bad argument '1.2.3.4'" ctl clear rtx-state 1.2.3.4
pass "JSON, Prometheus, permissions, misbehaving clients, big table, bad daemon replies, watch, stale and live sockets"
