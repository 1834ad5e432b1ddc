#!/usr/bin/python3
"""Every library and tool the build and the tests need comes from a package that tools/setup
installs, directly or through the Depends of one. A fresh machine has only those, so a
pkg-config module or program that reaches this machine by another road breaks set-up there.
Reads the installed packages' metadata with dpkg; TAP output."""

import os
import re
import subprocess
import sys

top = sys.argv[1]


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def skip(why):
    print(f"1..0 # SKIP {why}")
    sys.exit(0)


if run("sh", "-c", "command -v dpkg-query").returncode != 0:
    skip("not a Debian system (no dpkg-query)")

listed = run(os.path.join(top, "tools", "setup"), "--list-packages").stdout.split()
if not listed:
    print("Bail out! tools/setup --list-packages printed nothing")
    sys.exit(1)

# Depends of every installed package, first alternative (the one apt picks), and what
# virtual packages the installed ones provide.
depends = {}
provides = {}
status = run("dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n")
for line in status.stdout.splitlines():
    name, deps, prov = line.split("\t")
    depends[name] = [
        re.split(r"[\s(:]", alt.split("|")[0].strip())[0]
        for alt in deps.split(",")
        if alt.strip()
    ]
    for p in prov.split(","):
        p = re.split(r"[\s(:]", p.strip())[0]
        if p:
            provides.setdefault(p, name)

closure = set()
todo = list(listed)
while todo:
    name = todo.pop()
    name = provides.get(name, name) if name not in depends else name
    if name in closure:
        continue
    closure.add(name)
    todo.extend(depends.get(name, []))


# Which package installed each file, from dpkg's own lists (one "dpkg-query -S" per file
# would read them all each time).
owners = {}
info = "/var/lib/dpkg/info"
for entry in os.listdir(info):
    if entry.endswith(".list"):
        pkg = entry[: -len(".list")].split(":")[0]
        with open(os.path.join(info, entry), errors="replace") as f:
            for path in f:
                owners.setdefault(path.rstrip("\n"), pkg)


def owner(path):
    for candidate in (path, os.path.realpath(path)):
        if candidate in owners:
            return owners[candidate]
        # Debian's merged /usr: /bin/x is listed as /usr/bin/x or the other way round.
        alt = candidate[4:] if candidate.startswith("/usr/") else "/usr" + candidate
        if alt in owners:
            return owners[alt]
    return None


sources = []
for root, dirs, files in os.walk(top):
    dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
    sources += [os.path.join(root, f) for f in files if f == "meson.build"]
text = "".join(open(f).read() for f in sources)

modules = sorted(set(re.findall(r"dependency\('([^']+)'", text)))
programs = sorted(
    p for p in set(re.findall(r"find_program\('([^']+)'", text))
    if not os.path.exists(os.path.join(top, "tests", p))
    and not os.path.exists(os.path.join(top, "policy", p))
)
# Programs the tests and scripts run by name.
programs += ["Xvfb", "xauth", "virsh", "libvirtd", "virtlogd", "qemu-system-x86_64",
             "qemu-img", "clang", "checkpolicy", "semodule_package", "ninja", "meson",
             "dbus-daemon"]

# Files GTK loads at run time, which no pkg-config module or program names.
pixbuf_loaders = run("pkg-config", "--variable=gdk_pixbuf_moduledir",
                     "gdk-pixbuf-2.0").stdout.strip()
files = [os.path.join(pixbuf_loaders, "libpixbufloader-svg.so")]

# pkg-config modules with everything they require, as a fresh machine's pkg-config sees it.
seen = set()
todo = list(modules)
while todo:
    m = todo.pop()
    if m in seen:
        continue
    seen.add(m)
    req = run("pkg-config", "--print-requires", "--print-requires-private", m).stdout
    todo += [re.split(r"[\s<>=]", r.strip())[0] for r in req.splitlines() if r.strip()]

n = 0
failed = 0
print("TAP version 13")
for m in sorted(seen):
    n += 1
    pcdir = run("pkg-config", "--variable=pcfiledir", m).stdout.strip()
    pkg = owner(os.path.join(pcdir, m + ".pc")) if pcdir else None
    if pkg and pkg in closure:
        print(f"ok {n} - pkg-config module {m} comes from {pkg}")
    else:
        failed += 1
        print(f"not ok {n} - pkg-config module {m} comes from {pkg or 'no package'}, "
              "which tools/setup does not install: add it to its package list")
for prog in sorted(set(programs)):
    n += 1
    path = run("sh", "-c", f"command -v {prog}").stdout.strip()
    pkg = owner(path) if path else None
    if pkg and pkg in closure:
        print(f"ok {n} - program {prog} comes from {pkg}")
    else:
        failed += 1
        print(f"not ok {n} - program {prog} comes from {pkg or 'no package'}, "
              "which tools/setup does not install: add it to its package list")
for path in files:
    n += 1
    pkg = owner(path) if os.path.exists(path) else None
    if pkg and pkg in closure:
        print(f"ok {n} - {path} comes from {pkg}")
    else:
        failed += 1
        print(f"not ok {n} - {path} comes from {pkg or 'no package'}, "
              "which tools/setup does not install: add it to its package list")
print(f"1..{n}")
sys.exit(1 if failed else 0)
