#!/bin/sh
# meson install puts svirt-helper and everything the system needs to start it and ask polkit
# where the system looks for them, and the polkit policy is valid XML for its DTD's shape.
set -eu
build=$1
if ! dest=$(mktemp -d "${TMPDIR:-/tmp}/svirt-install.XXXXXX"); then
    echo "not ok 1 - cannot make a directory to install into"
    exit 1
fi
# An interrupt ends the script, through the removal on exit.
trap 'rm -rf "$dest" "$dest.log"' EXIT
trap 'exit 1' INT TERM
if ! meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$dest.log" 2>&1; then
    cat "$dest.log"
    echo "not ok 1 - meson install failed"
    exit 1
fi
option() {
    meson introspect "$build" --buildoptions |
        python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]][0])' "$1"
}
prefix=$(option prefix)
libexecdir=$(option libexecdir)
case $libexecdir in /*) ;; *) libexecdir=$prefix/$libexecdir ;; esac
root=$dest$prefix
# D-Bus, polkit and systemd read their files where the system keeps them, whatever the prefix.
sys=$dest$(option system_datadir)
unitdir=$dest$(option systemd_unit_dir)
n=0
failed=0
check() {
    n=$((n + 1))
    if [ -e "$2" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1: ${2#"$dest"} is missing"
        failed=1
    fi
}
check "the helper" "$dest$libexecdir/svirt-helper"
check "svirtctl" "$root/bin/svirtctl"
check "the polkit actions" "$sys/polkit-1/actions/org.svirt.Manager.policy"
check "the polkit rules for the libvirt group" "$sys/polkit-1/rules.d/60-svirt-manager.rules"
check "the D-Bus system policy" "$sys/dbus-1/system.d/org.svirt.Manager1.conf"
check "the D-Bus activation file" "$sys/dbus-1/system-services/org.svirt.Manager1.service"
check "the systemd unit" "$unitdir/svirt-helper.service"

n=$((n + 1))
service=$sys/dbus-1/system-services/org.svirt.Manager1.service
if [ -f "$service" ] && grep -qx "Exec=$libexecdir/svirt-helper" "$service" &&
   grep -qx "SystemdService=svirt-helper.service" "$service" && grep -qx "User=root" "$service"; then
    echo "ok $n - the activation file runs the installed helper as root through its unit"
else
    echo "not ok $n - the activation file does not name $libexecdir/svirt-helper, root and the unit"
    failed=1
fi

for f in "$sys/polkit-1/actions/org.svirt.Manager.policy" \
         "$sys/dbus-1/system.d/org.svirt.Manager1.conf"; do
    n=$((n + 1))
    if ! command -v xmllint >/dev/null; then
        echo "ok $n # SKIP xmllint is not installed to check ${f##*/}"
    elif xmllint --noout --nonet "$f" 2>&1; then
        echo "ok $n - ${f##*/} is well-formed XML"
    else
        echo "not ok $n - ${f##*/} is not well-formed XML"
        failed=1
    fi
done

n=$((n + 1))
dtd=/usr/share/polkit-1/policyconfig-1.dtd
policy=$sys/polkit-1/actions/org.svirt.Manager.policy
if ! command -v xmllint >/dev/null || [ ! -f "$dtd" ]; then
    echo "ok $n # SKIP xmllint or polkit's policyconfig DTD is not installed"
elif xmllint --noout --nonet --dtdvalid "$dtd" "$policy" 2>&1; then
    echo "ok $n - the polkit policy is valid against polkit's DTD"
else
    echo "not ok $n - the polkit policy is not valid against polkit's DTD"
    failed=1
fi

n=$((n + 1))
actions=$(sed -n 's/.*<action id="\([^"]*\)".*/\1/p' "$sys/polkit-1/actions/org.svirt.Manager.policy" |
          sort | tr '\n' ' ')
want="org.svirt.Manager.change-security org.svirt.Manager.fix-labels org.svirt.Manager.manage-vms org.svirt.Manager.read-labels "
if [ "$actions" = "$want" ]; then
    echo "ok $n - one polkit action per kind of operation"
else
    echo "not ok $n - the polkit actions are '$actions', not '$want'"
    failed=1
fi
echo "1..$n"
exit $failed
