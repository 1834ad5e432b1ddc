#!/bin/sh
# Runs a test with the toolkit's accessibility bridge on and a private D-Bus session bus, from
# which the AT-SPI bus (at-spi-bus-launcher, its dbus-daemon, at-spi2-registryd) starts on
# demand as on a desktop. Every daemon started for the test is stopped afterwards.
# Without dbus-daemon or at-spi2-core the test runs with SVM_ATSPI_MISSING set, and skips.
set -eu

services=/usr/share/dbus-1/services/org.a11y.Bus.service
if ! command -v dbus-daemon >/dev/null 2>&1; then
    SVM_ATSPI_MISSING="dbus-daemon is not installed (Debian package dbus-daemon); run tools/setup"
    export SVM_ATSPI_MISSING
    exec "$@"
fi
if [ ! -f "$services" ]; then
    SVM_ATSPI_MISSING="at-spi2-core is not installed (no AT-SPI bus launcher); run tools/setup"
    export SVM_ATSPI_MISSING
    exec "$@"
fi

# Processes started from the bus inherit its environment; this mark finds them at the end.
SVM_ATSPI_MARK="svm-atspi-$$-$(date +%s%N)"
export SVM_ATSPI_MARK

dir=$(mktemp -d)
bus_pid=
test_pid=

# The daemons of this run: every process whose environment carries the mark. The search
# runs without the mark itself, so it does not find its own processes.
marked() {
    env -u SVM_ATSPI_MARK sh -c 'grep -lzxF "SVM_ATSPI_MARK=$1" /proc/[0-9]*/environ 2>/dev/null |
        sed -n "s|^/proc/\([0-9]*\)/environ\$|\1|p"' sh "$SVM_ATSPI_MARK"
}

cleanup() {
    status=$?
    trap - EXIT INT TERM
    [ -n "$test_pid" ] && kill "$test_pid" 2>/dev/null || true
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null || true
    # Losing the session bus ends the launcher, which ends the AT-SPI bus and the registry.
    i=0
    while [ -n "$(marked)" ] && [ $i -lt 25 ]; do
        sleep 0.2
        i=$((i + 1))
    done
    for pid in $(marked); do
        echo "with-atspi: stopping $(cat /proc/"$pid"/comm 2>/dev/null) ($pid), still running" >&2
        kill "$pid" 2>/dev/null || true
    done
    sleep 0.2
    for pid in $(marked); do
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$dir"
    exit $status
}
trap cleanup EXIT
trap 'exit 143' INT TERM

mkfifo "$dir/address"
# No gvfs daemons for the test's GIO; nothing the test uses needs them.
GIO_USE_VFS=local
export GIO_USE_VFS
# The daemons' chatter goes to a log, not into the test's output.
dbus-daemon --session --nofork --print-address=3 3>"$dir/address" >"$dir/dbus.log" 2>&1 &
bus_pid=$!
read -r address <"$dir/address" || true
if [ -z "${address:-}" ]; then
    cat "$dir/dbus.log" >&2
    echo "with-atspi: dbus-daemon did not start a session bus." >&2
    exit 1
fi
DBUS_SESSION_BUS_ADDRESS=$address
export DBUS_SESSION_BUS_ADDRESS
# The bus is found through the session bus, as a desktop does it.
unset AT_SPI_BUS_ADDRESS NO_AT_BRIDGE || true
# In the background, so that a signal to this script stops the test and cleans up at once.
"$@" &
test_pid=$!
set +e
wait "$test_pid"
status=$?
set -e
test_pid=
exit $status
