# Sourced by tests/run.sh: sockets whose other end is not in the process.
# Listeners (TCP and UDP over IPv4 and IPv6, UNIX stream, seqpacket and
# datagram, on a path and in the abstract namespace) listen again after
# a restart; a connection to a server outside the image becomes a dead
# socket (its unread bytes, then end of file), which a CKPT_RESTART hook
# replaces by a new connection; an address in use at the restart is
# refused.  The servers here bind port 0 (or ask the kernel for a free
# port), so that runs side by side never share one.

PY=/usr/bin/python3

# a free TCP port on 127.0.0.1 (the kernel's pick, let go at once)
free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# ask_all FILE: tests/progs/sockclient.py's answers from the server in $W
ask_all() { (cd "$W" && $PY "$ROOT/tests/progs/sockclient.py" $((2 * SLOW))) >"$1" 2>&1; }
# until the restarted server answers (it may still be restoring)
answers() { ask_all "$1" && ! grep -q '^failed' "$1"; }

# sockserve.py: every kind of listener, options read back, one epoll;
# checkpointed, killed (its UNIX socket files stay behind: taken over),
# restarted, CYCLES times; the answers are the same every time
sock_cycles() {  # sock_cycles NAME CYCLES
	local why= c
	launch "$W/seg0" $PY "$ROOT/tests/progs/sockserve.py"
	if ! wait_lines "$W/seg0" 1 $((20 * SLOW)) || ! ask_all "$W/before"; then
		why="the server did not answer before the checkpoint"
	fi
	for c in $(seq 1 "$2"); do
		[ -z "$why" ] || break
		rm -f "$W/myckpt"
		if ! signal_live "$PID" || ! wait_image $((20 * SLOW)); then why="no image at checkpoint $c"; break; fi
		[ "$c" = 1 ] && $RUNNER "$MYRESTART" --info "$W/myckpt" >"$W/info" 2>&1
		stop "$PID"; wait "$PID" 2>/dev/null
		[ -S "$W/stream.sock" ] || { why="the killed server left no socket file (nothing to take over)"; break; }
		restart "$W/seg$c"
		if ! wait_until $((20 * SLOW)) answers "$W/after"; then
			why="restart $c does not answer: $(tail -1 "$W/after")"
		elif ! cmp -s "$W/before" "$W/after"; then
			why="restart $c answers otherwise (diff $W/before $W/after)"
		fi
	done
	[ -z "$why" ] && [ -s "$W/stderr" ] && why="unexpected messages: $(head -2 "$W/stderr" | tr '\n' ' ')"
	stop "$PID"
	verdict "$1" "$why"
}
case_sock_servers() { sock_cycles sockets-servers 1; }
def_case sockets-servers case_sock_servers
case_sock_three() { sock_cycles sockets-three-cycles 3; }
def_case sockets-three-cycles case_sock_three

# --info names each socket: family, type, state, addresses, backlog (qemu
# cannot ask sock_diag: the default there), a dead socket's queued bytes
case_sock_info() {
	local want
	launch "$W/seg0" $PY "$ROOT/tests/progs/sockserve.py"
	if wait_lines "$W/seg0" 1 $((20 * SLOW)) && signal_live "$PID" && wait_image $((20 * SLOW)); then
		read -r t4 t6 u4 u6 <"$W/ports"
		$RUNNER "$MYRESTART" --info "$W/myckpt" >"$W/info" 2>&1
		for want in "socket  TCP listener on 127.0.0.1:$t4, backlog (7|4096)  socket:" \
			"socket  TCP listener on \[::1\]:$t6, backlog (7|4096)  socket:" \
			"socket  UDP socket on 127.0.0.1:$u4  socket:" "socket  UDP socket on \[::1\]:$u6  socket:" \
			"socket  UNIX stream listener on stream.sock, backlog (3|4096)  socket:" \
			"socket  UNIX seqpacket listener on @ckpt-test-seqpacket-[0-9]+, backlog (3|4096)  socket:" \
			"socket  UNIX datagram socket on dgram.sock  socket:" "epoll  8 watches" \
			"socket  TCP listener on 127.0.0.1:[0-9]+, backlog (0|4096)  socket:"; do
			grep -Eq -- "$want" "$W/info" || { why="--info has no line matching '$want'"; break; }
		done
		[ -z "$RUNNER" ] && [ -z "$why" ] && ! grep -q "backlog 7 " "$W/info" && why="--info: not the listen() backlog"
	else
		why="no image"
	fi
}
def_verdict sockets-info case_sock_info

# python3 -m http.server (Debian's), idle at the checkpoint, answers
# curl on its port after the restart; then under a stream of requests
# at the checkpoint (those in flight when it is killed fail; the restart
# answers again)
http_server() {  # http_server NAME BUSY
	local why= port loop=
	port=$(free_port)
	echo "some content" >"$W/file.txt"
	launch "$W/seg0" $PY -m http.server "$port" --bind 127.0.0.1
	get() { curl -s --max-time $((5 * SLOW)) "http://127.0.0.1:$port/file.txt" >"$W/got" 2>/dev/null && cmp -s "$W/got" "$W/file.txt"; }
	if ! wait_until $((20 * SLOW)) get; then
		why="no answer before the checkpoint"
	else
		if [ "$2" = 1 ]; then
			( while :; do curl -s --max-time 1 "http://127.0.0.1:$port/file.txt" >/dev/null 2>&1; done ) &
			loop=$!; track $loop
			sleep 0.3
		fi
		if ! signal_live "$PID" || ! wait_image $((20 * SLOW)); then
			why="no image"
		else
			stop "$PID"; wait "$PID" 2>/dev/null
			restart "$W/seg1"
			wait_until $((20 * SLOW)) get || why="the restarted server does not answer on port $port"
		fi
	fi
	[ -n "$loop" ] && { stop "$loop"; wait "$loop" 2>/dev/null; }
	# (a client that gave up mid-request is a traceback of the server's
	# own, and no failure)
	[ -z "$why" ] && grep -q 'Errno 88\|non-socket' "$W/stderr" &&
		why="the server failed: $(grep -m1 'Errno 88\|non-socket' "$W/stderr")"
	stop "$PID"
	verdict "$1" "$why"
}
case_http_idle() { http_server sockets-http-server 0; }
def_case sockets-http-server case_http_idle
case_http_busy() { http_server sockets-http-server-busy 1; }
def_case sockets-http-server-busy case_http_busy

# the echo server, outside the image, in $SRV (its port in $W/port)
start_echo() {
	(cd "$W" && exec $PY "$ROOT/tests/progs/echoserver.py") 2>>"$W/server.err" &
	SRV=$!; track $SRV
	wait_until 10 test -s "$W/port"
}
# def_echo_case NAME FUNCTION: the case NAME that runs FUNCTION once the
# echo server runs; FUNCTION says what went wrong in $why; then the
# program ($PID) and the server are stopped
def_echo_case() {
	eval "echo_$2() { local why=; if start_echo; then $2; else why='the echo server did not start'; fi
		stop \"\${PID:-}\" \"\$SRV\"; verdict $1 \"\$why\"; }"
	def_case "$1" "echo_$2"
}

# A client with no hook whose server is outside the image: after the
# restart it reads the bytes it had not read, then end of file, and its
# send fails (EPIPE), as when the peer dies; never ENOTSOCK.  Named at
# the checkpoint and at the restart.
case_sock_lost_peer() {
	local conn='TCP connection 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:[0-9]+'
	launch "$W/seg0" $PY "$ROOT/tests/progs/lostpeer.py"
	if take_image "$W/seg0" 2; then
		$RUNNER "$MYRESTART" --info "$W/myckpt" 2>&1 | grep -Eq "  socket  $conn  7 B queued  socket:" ||
			why="--info does not show the connection and its 7 bytes queued"
		stop "$PID"; wait "$PID" 2>/dev/null
		touch "$W/go"
		restart "$W/seg1"
		if [ -n "$why" ]; then :
		elif ! wait_gone "$PID" $((20 * SLOW)); then why="the restarted client did not end"
		else
			wait "$PID"; rc=$?
			printf '%s\n' "recv b'pushed\\n'" "recv b''" "the server is gone: BrokenPipeError" >"$W/want"
			if [ $rc -ne 3 ]; then why="exit status $rc, not 3: $(tail -2 "$W/seg1" | tr '\n' ' ')"
			elif ! cmp -s "$W/want" "$W/seg1"; then why="not what a lost peer gives: $(tr '\n' ' ' <"$W/seg1")"
			elif ! grep -Eq "^libckpt: warning: fd [0-9]+ \($conn\) is not restored: it reads end-of-file after a restart$" "$W/stderr"; then
				why="no warning at the checkpoint"
			elif ! grep -Eq "^myrestart: myckpt: warning: fd [0-9]+ \($conn\) is not restored: it reads end-of-file after the restart$" "$W/stderr"; then
				why="no warning at the restart"
			fi
		fi
	else
		why="no image"
	fi
}
def_echo_case sockets-lost-peer case_sock_lost_peer

# examples/reconnect.c: its CKPT_RESTART hook connects again; every
# request is answered, before and after the restart, in order
case_sock_reconnect() {
	local n=40
	for i in $(seq 1 $n); do printf '%04d reply: echo request %d\n' "$i" "$i"; done >"$W/ref.out"
	launch "$W/seg0" "$BIN/reconnect" "$(cut -d' ' -f1 "$W/port")" $n
	if take_image "$W/seg0" 10; then
		stop "$PID"; wait "$PID" 2>/dev/null
		restart "$W/seg1"
		if ! wait_exit $((40 * SLOW)); then why="the restarted client did not finish"
		elif ! splice "$W/seg0" "$W/seg1" | cmp -s - "$W/ref.out"; then
			why="output differs: $(tail -2 "$W/seg1" | tr '\n' ' ')"
		fi
	else
		why="no image"
	fi
}
def_echo_case sockets-reconnect-hook case_sock_reconnect

# The server's port is taken when it restarts: one line naming it, exit
# 1, nothing restored (the port's new owner is undisturbed, the restart
# left no process)
case_sock_in_use() {
	local port out rc holder
	port=$(free_port)
	launch "$W/seg0" $PY -m http.server "$port" --bind 127.0.0.1
	get() { curl -s --max-time $((5 * SLOW)) -o /dev/null "http://127.0.0.1:$port/"; }
	if wait_until $((20 * SLOW)) get && signal_live "$PID" && wait_image $((20 * SLOW)); then
		stop "$PID"; wait "$PID" 2>/dev/null
		$PY -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); print("held", flush=True); time.sleep(600)' "$port" >"$W/holder" &
		holder=$!; track $holder
		wait_until 10 test -s "$W/holder"
		out=$(cd "$W" && $RUNNER "$MYRESTART" myckpt 2>&1 >/dev/null)
		rc=$?
		if [ $rc -ne 1 ]; then why="exit status $rc, not 1"
		elif [ "$out" != "myrestart: myckpt: cannot listen on 127.0.0.1:$port again: address in use" ]; then
			why="unexpected message: $out"
		elif ! alive "$holder"; then why="the port's new owner is gone"
		fi
		stop "$holder"
	else
		why="no image"
	fi
}
def_verdict sockets-address-in-use case_sock_in_use

# TCP connections with both ends in the process (IPv4 and IPv6), bytes
# queued both ways at every checkpoint: connected again, bytes and all
def_cycle sockets-tcp-inside 8 2 $((40 * SLOW)) $PY "$ROOT/tests/progs/tcpself.py"

# A pipe whose other end is a process outside the image (a child run
# without the library) and a netlink socket become /dev/null: named at
# the checkpoint and again at the restart
case_null_named() {
	local child
	CKPT_INHERIT=0 launch "$W/seg0" $PY -c 'import os, socket, subprocess, time
p = subprocess.Popen(["sleep", "600"], stdout=subprocess.PIPE)
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
print("child", p.pid, flush=True)
time.sleep(600)'
	if take_image "$W/seg0" 1; then
		child=$(awk '/^child/ { print $2 }' "$W/seg0"); track "$child"
		stop "$PID"; wait "$PID" 2>/dev/null
		restart "$W/seg1"
		if ! wait_stderr '^myrestart: myckpt: warning: fd [0-9]+ \(socket:\[[0-9]+\]\) had its other end outside the process: it is /dev/null now$' $((20 * SLOW)); then
			why="the netlink socket is not named at the restart"
		elif ! grep -Eq '^myrestart: myckpt: warning: fd [0-9]+ \(pipe:\[[0-9]+\]\) had its other end outside the process: it is /dev/null now$' "$W/stderr"; then
			why="the pipe is not named at the restart"
		elif ! grep -Eq '^libckpt: warning: fd [0-9]+ \(pipe:\[[0-9]+\]\) has its other end outside the process; it will be /dev/null after a restart$' "$W/stderr"; then
			why="the pipe is not named at the checkpoint"
		fi
		stop "$child"
	else
		why="no image"
	fi
}
def_verdict sockets-null-named case_null_named

# A pre-fork server (a tree: the parent and two workers hold one
# listener): the restart's reaper makes the listener once, from the
# owner's record, and every member gets it; the workers answer again.
# Under qemu-user a tree's checkpoint is refused (tree-qemu-refused).
served() {  # served N: N connections to $W/port, each answered by a worker
	$PY -c 'import socket, sys
for _ in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    assert s.recv(100).startswith(b"worker ")' "$(cat "$W/port")" "$1" 2>/dev/null
}
case_sock_prefork() {
	local why=
	if [ -n "$RUNNER" ]; then verdict "sockets-prefork-tree (a tree is refused under qemu: tree-qemu-refused)" ""; return; fi
	launch "$W/seg0" $PY "$ROOT/tests/progs/prefork.py"
	if wait_lines "$W/seg0" 1 20 && served 4 && signal_live "$PID" && wait_image 20; then
		grep -q '^  shared listener 1: [0-9]*:3 [0-9]*:3 [0-9]*:3$' <($MYRESTART --info "$W/myckpt" 2>&1) ||
			why="--info names no listener the three processes share"
		stop_tree "$PID"; wait "$PID" 2>/dev/null
		restart "$W/seg1"
		[ -z "$why" ] && ! wait_until 20 served 4 && why="the restarted workers do not answer: $(head -2 "$W/stderr" | tr '\n' ' ')"
	else
		why="no image"
	fi
	stop_tree "$PID"
	verdict sockets-prefork-tree "$why"
}
def_case sockets-prefork-tree case_sock_prefork

# A listener with connections not accepted yet: the checkpoint says how
# many a restart loses (natively: qemu-user's sock_diag does not answer)
case_sock_unaccepted() {
	local port c1 c2
	launch "$W/seg0" $PY -c 'import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(4)
print(l.getsockname()[1], flush=True)
time.sleep(600)'
	if wait_lines "$W/seg0" 1 $((20 * SLOW)); then
		port=$(head -1 "$W/seg0")
		for c in c1 c2; do
			$PY -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); print("on", flush=True); time.sleep(600)' "$port" >"$W/$c" &
			eval "$c=\$!"; track $!
		done
		wait_until 10 test -s "$W/c1" && wait_until 10 test -s "$W/c2"
		if ! signal_live "$PID" || ! wait_image $((20 * SLOW)); then why="no image"
		elif [ -z "$RUNNER" ] && ! wait_stderr "^libckpt: warning: fd 3 \(TCP listener on 127\.0\.0\.1:$port\) has 2 connections not accepted: a restart loses them$" 5; then
			why="the connections not accepted are not named"
		fi
		stop "$c1" "$c2"
	else
		why="the server did not start"
	fi
}
def_verdict sockets-unaccepted-named case_sock_unaccepted

# Connected datagram sockets to servers outside the image (UDP; UNIX,
# bound to a path the killed process left behind): bound and connected
# again, every datagram answered after the restart.  myrestart runs in
# another directory: the UNIX paths are relative to the program's.
case_sock_dgram_client() {
	local n=30
	for i in $(seq 1 $n); do printf '%04d echo %d | echo %d | peer echo.dgram\n' "$i" "$i" "$i"; done >"$W/ref.out"
	launch "$W/seg0" $PY "$ROOT/tests/progs/dgramclient.py" $n
	if take_image "$W/seg0" 8; then
		stop "$PID"; wait "$PID" 2>/dev/null
		mkdir -p "$W/elsewhere"
		(cd "$W/elsewhere" && exec $RUNNER "$MYRESTART" "$W/myckpt" >"$W/seg1" 2>>"$W/stderr") &
		PID=$!; track $PID
		if ! wait_exit $((40 * SLOW)); then why="the restarted client did not finish"
		elif ! splice "$W/seg0" "$W/seg1" | cmp -s - "$W/ref.out"; then
			why="output differs: $(tail -2 "$W/seg1" | tr '\n' ' ')"
		elif [ -s "$W/stderr" ]; then why="unexpected messages: $(head -2 "$W/stderr" | tr '\n' ' ')"
		fi
	else
		why="no image"
	fi
}
def_echo_case sockets-dgram-client case_sock_dgram_client

# Socketpairs (stream and datagram) between a parent and its child, bytes
# queued in all four directions at the checkpoint: one tree object each,
# the bytes put back by the holder of each end (native: trees are
# refused under qemu-user)
case_tree_sockpair() {
	if [ -n "$RUNNER" ]; then verdict "sockets-tree-socketpair (a tree is refused under qemu: tree-qemu-refused)" ""; return; fi
	TREE_CHECK=tree_sockpair_info tree_run sockets-tree-socketpair 8 2 30 $PY "$ROOT/tests/progs/sock_tree_pair.py"
}
tree_sockpair_info() {
	grep -q 'is not restored' "$W/stderr" && echo "a socketpair end was named a dead socket"
}
def_case sockets-tree-socketpair case_tree_sockpair

# TCP connections (IPv4, IPv6) between a parent and its child, bytes
# queued both ways at the checkpoint: one tree object each, connected
# again over loopback (native: trees are refused under qemu-user)
case_tree_tcp() {
	if [ -n "$RUNNER" ]; then verdict "sockets-tree-tcp (a tree is refused under qemu: tree-qemu-refused)" ""; return; fi
	TREE_CHECK=tree_sockpair_info tree_run sockets-tree-tcp 8 2 30 $PY "$ROOT/tests/progs/tree_tcp.py"
}
def_case sockets-tree-tcp case_tree_tcp

# A TCP connection that ended (both sides closed) but whose fd the
# program keeps: natively a dead socket (end of file); under qemu-user,
# which cannot tell it from a socket bound by hand, a socket bound again
# where it can be.  Never ENOTSOCK, never a refusal.  (The listener sets
# SO_REUSEADDR: the accepted end it closed first lingers in TIME_WAIT on
# its port, which the README's limits name.)
case_sock_ended() {
	launch "$W/seg0" $PY -c 'import os, socket, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); a, _ = l.accept(); a.close()
c.recv(10); c.shutdown(socket.SHUT_WR); time.sleep(0.2)
print("ready", flush=True)
while not os.path.exists("go"):
    time.sleep(0.02)
try:
    print("recv", c.recv(10), flush=True)
except OSError as e:
    print("recv", e.errno, flush=True)'
	if take_image "$W/seg0" 1; then
		stop "$PID"; wait "$PID" 2>/dev/null
		touch "$W/go"
		restart "$W/seg1"
		if ! wait_exit $((20 * SLOW)); then why="the restarted program did not end"
		elif [ -z "$RUNNER" ] && [ "$(cat "$W/seg1")" != "recv b''" ]; then why="not end of file: $(cat "$W/seg1")"
		elif ! grep -Eq "^recv (b''|107)$" "$W/seg1"; then why="not end of file or ENOTCONN: $(cat "$W/seg1")"
		elif grep -q 'refus\|cannot listen' "$W/stderr"; then why="refused: $(head -1 "$W/stderr")"
		fi
	else
		why="no image"
	fi
}
def_verdict sockets-ended-connection case_sock_ended

# A UNIX listener on an absolute path in a job directory that moved:
# myrestart --map OLD=NEW binds it at the new path (the socket file that
# moved with the directory is taken over)
case_sock_moved() {
	mkdir -p "$W/old"
	RUN_DIR=$W/old launch "$W/seg0" $PY -c 'import os, socket
s = socket.socket(socket.AF_UNIX); s.bind(os.path.abspath("srv.sock")); s.listen(2)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.sendall(s.getsockname().encode()); c.close()'
	if wait_lines "$W/seg0" 1 $((20 * SLOW)) && signal_live "$PID" && wait_image $((20 * SLOW)) "$W/old/myckpt"; then
		stop "$PID"; wait "$PID" 2>/dev/null
		mv "$W/old" "$W/new"
		(cd "$W" && exec $RUNNER "$MYRESTART" --map "$W/old=$W/new" "$W/new/myckpt" >"$W/seg1" 2>>"$W/stderr") &
		PID=$!; track $PID
		ask() { [ "$($PY -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(200).decode())' "$W/new/srv.sock" 2>/dev/null)" = "$W/new/srv.sock" ]; }
		wait_until $((20 * SLOW)) ask || why="nothing answers on $W/new/srv.sock: $(head -1 "$W/stderr")"
	else
		why="no image"
	fi
}
def_verdict sockets-moved-unix-path case_sock_moved
