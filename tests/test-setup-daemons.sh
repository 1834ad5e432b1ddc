#!/bin/bash
# tools/setup's daemon step on hosts in the states a user's machine can be in: no system bus,
# a socket and pid file left by a bus that is gone (a host restored from a snapshot, a killed
# dbus-daemon), a bus that answers, daemons that started before the bus, and not root.
#
# It runs in a mount namespace of its own, with a fresh /run and a stand-in polkitd, so the
# host's daemons are not touched. dbus-daemon, pgrep, pkill, setsid, virtlogd, libvirtd, virsh
# and the build are stand-ins that record what they are asked; dbus-send is the real one
# unless the stand-in bus is up, so a leftover socket is asked for real. TAP output.
set -uo pipefail

top=${1:?usage: test-setup-daemons.sh SOURCE_ROOT}

if [ -z "${SVM_SETUP_NAMESPACE:-}" ]; then
    # As root a plain mount namespace; otherwise a user namespace maps this user to root.
    if [ "$(id -u)" -eq 0 ]; then
        ns=(unshare --mount --propagation private)
    else
        ns=(unshare --map-root-user --mount --propagation private)
    fi
    SVM_SETUP_NAMESPACE=1 exec "${ns[@]}" "$0" "$@"
    echo "TAP version 13"
    echo "not ok 1 - a mount namespace for the test (unshare failed)"
    echo "1..1"
    exit 1
fi

# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

mount -t tmpfs tmpfs /run || { echo "Bail out! cannot mount a private /run"; exit 1; }
if [ -d /usr/lib/polkit-1 ]; then
    mount -t tmpfs tmpfs /usr/lib/polkit-1 ||
        { echo "Bail out! cannot hide the host's polkitd"; exit 1; }
    have_polkitd=1
else
    have_polkitd=0
fi

diagnostics() {
    echo "stderr: $(cat "$work/err" 2>/dev/null)"
    echo "log: $(cat "$work/log" 2>/dev/null)"
}

# Stand-ins. State under $work: running/NAME while a daemon runs, bus-up while the stand-in bus
# answers, dbus-fails if dbus-daemon is to fail, and log, one line per call.
mkdir -p "$work/bin" "$work/build"
touch "$work/build/build.ninja"
real_dbus_send=$(command -v dbus-send)
standin() {
    cat >"$work/bin/$1"
    chmod +x "$work/bin/$1"
}
standin dpkg-query <<'EOF'
#!/bin/bash
for arg in "$@"; do
    case "$arg" in -*) ;; *) printf 'ii  %s\n' "$arg" ;; esac
done
EOF
standin ninja <<'EOF'
#!/bin/bash
exit 0
EOF
standin id <<'EOF'
#!/bin/bash
if [ "${1:-}" = -u ] && [ -n "${STANDIN_UID:-}" ]; then
    echo "$STANDIN_UID"
else
    exec /usr/bin/id "$@"
fi
EOF
standin pgrep <<'EOF'
#!/bin/bash
[ -e "$STANDIN/running/${!#}" ]
EOF
standin pkill <<'EOF'
#!/bin/bash
echo "pkill $*" >>"$STANDIN/log"
[ -e "$STANDIN/running/${!#}" ] || exit 1
rm -f "$STANDIN/running/${!#}"
EOF
standin setsid <<'EOF'
#!/bin/bash
echo "start $(basename "$1")" >>"$STANDIN/log"
touch "$STANDIN/running/$(basename "$1")"
EOF
# Like the real one: refuses to start while a pid file is there.
standin dbus-daemon <<'EOF'
#!/bin/bash
echo "start dbus-daemon $*" >>"$STANDIN/log"
[ -e "$STANDIN/dbus-fails" ] && exit 1
if [ -e /run/dbus/pid ]; then
    echo "dbus-daemon: The pid file \"/run/dbus/pid\" exists" >&2
    exit 1
fi
rm -f /run/dbus/system_bus_socket
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    /run/dbus/system_bus_socket
echo 4242 >/run/dbus/pid
touch "$STANDIN/bus-up" "$STANDIN/running/dbus-daemon"
EOF
standin dbus-send <<EOF
#!/bin/bash
[ -e "\$STANDIN/bus-up" ] && exit 0
exec "$real_dbus_send" "\$@"
EOF
for daemon in virtlogd libvirtd; do
    standin "$daemon" <<'EOF'
#!/bin/bash
echo "start $(basename "$0")" >>"$STANDIN/log"
touch "$STANDIN/running/$(basename "$0")"
EOF
done
standin virsh <<'EOF'
#!/bin/bash
[ -e "$STANDIN/running/libvirtd" ]
EOF
if [ "$have_polkitd" = 1 ]; then
    printf '#!/bin/sh\nexit 0\n' >/usr/lib/polkit-1/polkitd
    chmod +x /usr/lib/polkit-1/polkitd
fi

# reset_state RUNNING...: a fresh /run, with RUNNING daemons up.
reset_state() {
    rm -rf "$work/running" "$work/log" "$work/bus-up" "$work/dbus-fails" /run/dbus /run/lock
    mkdir -p "$work/running"
    touch "$work/log"
    for daemon in "$@"; do
        touch "$work/running/$daemon"
    done
}

# A socket file and pid file whose bus is gone: nothing listens on the socket.
leave_stale_bus() {
    mkdir -p /run/dbus
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
        /run/dbus/system_bus_socket
    echo 999999 >/run/dbus/pid
}

run_setup() {
    STANDIN="$work" PATH="$work/bin:$PATH" SVM_BUILD_DIR="$work/build" \
        "$top/tools/setup" >"$work/out" 2>"$work/err"
}

logged() {
    grep -qx -- "$1" "$work/log"
}

# Line number of $1 in the log (0 if absent).
log_line() {
    local at
    at=$(grep -nx -- "$1" "$work/log" | head -n1 | cut -d: -f1)
    echo "${at:-0}"
}

echo "TAP version 13"

# A bus that left its socket and pid file behind, no daemon running: the bus starts (after the
# pid file that would stop it is gone), then polkitd and libvirtd.
reset_state
leave_stale_bus
run_setup
status=$?
check "leftover bus: exit 0" [ $status -eq 0 ]
check "leftover bus: a system bus is started" logged "start dbus-daemon --system --fork"
check "leftover bus: the old pid file did not stop it" [ -e "$work/running/dbus-daemon" ]
check "leftover bus: says it starts the bus" grep -q '^setup: starting the system bus' "$work/err"
check "leftover bus: libvirtd starts after the bus" \
    [ "$(log_line "start libvirtd")" -gt "$(log_line "start dbus-daemon --system --fork")" ]
if [ "$have_polkitd" = 1 ]; then
    check "leftover bus: polkitd starts after the bus" \
        [ "$(log_line "start polkitd")" -gt "$(log_line "start dbus-daemon --system --fork")" ]
fi
check "leftover bus: nothing is stopped" bash -c "! grep -q '^pkill' '$work/log'"

# No /run/dbus at all.
reset_state
run_setup
check "no bus: exit 0 with a bus started" \
    bash -c "[ $? -eq 0 ] && grep -qx 'start dbus-daemon --system --fork' '$work/log'"

# A bus that answers and daemons up: nothing is started or stopped, and nothing is said.
reset_state dbus-daemon polkitd libvirtd virtlogd
mkdir -p /run/dbus
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    /run/dbus/system_bus_socket
touch "$work/bus-up"
run_setup
status=$?
check "bus up: exit 0" [ $status -eq 0 ]
check "bus up: nothing started or stopped" [ ! -s "$work/log" ]
check "bus up: silent" [ ! -s "$work/err" ]

# polkitd and libvirtd began while the bus was gone: both start again once it runs.
reset_state polkitd libvirtd virtlogd
leave_stale_bus
run_setup
status=$?
check "daemons older than the bus: exit 0" [ $status -eq 0 ]
check "daemons older than the bus: libvirtd is stopped after the bus starts" \
    [ "$(log_line "pkill -x libvirtd")" -gt "$(log_line "start dbus-daemon --system --fork")" ]
check "daemons older than the bus: libvirtd starts again" \
    bash -c "[ -e '$work/running/libvirtd' ] && grep -qx 'start libvirtd' '$work/log'"
check "daemons older than the bus: says so" \
    grep -q '^setup: restarting libvirtd, which started before the system bus' "$work/err"
check "daemons older than the bus: polkitd is stopped" logged "pkill -x polkitd"
if [ "$have_polkitd" = 1 ]; then
    check "daemons older than the bus: polkitd starts again" logged "start polkitd"
fi

# The bus does not start: one line naming it and what to run, and libvirtd is not started
# without it.
reset_state
leave_stale_bus
touch "$work/dbus-fails"
run_setup
status=$?
check "bus fails: non-zero exit" [ $status -ne 0 ]
check "bus fails: names the system bus and what to run" \
    bash -c "tail -n1 '$work/err' | grep -q '^setup: the system bus did not start; run \"dbus-daemon --system --nofork\"'"
check "bus fails: libvirtd is not started" bash -c "! grep -qx 'start libvirtd' '$work/log'"

# Not root: the daemons are root's; the set-up leaves them alone.
reset_state
leave_stale_bus
STANDIN_UID=1000 run_setup
status=$?
check "not root: exit 0" [ $status -eq 0 ]
check "not root: no daemon is started or stopped" [ ! -s "$work/log" ]

tap_end
