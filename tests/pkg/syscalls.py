#!/usr/bin/env python3
"""syscalls.py UNIT TRACE PROGRAM - whether every system call PROGRAM made in
an `strace -f -o TRACE` run (from its execve on: not the wrapper's before it)
is allowed by the SystemCallFilter= lines of the unit file UNIT, groups
expanded as `systemd-analyze syscall-filter` lists them. Prints the calls
used and any outside the filter; exits 1 when there is one."""
import re
import subprocess
import sys


def groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True,
                         text=True, check=True).stdout
    g, cur = {}, None
    for line in out.splitlines():
        if re.match(r"^@\S+", line):
            cur = line.split()[0]
            g[cur] = []
        elif cur and line.strip() and not line.strip().startswith("#"):
            g[cur].append(line.strip())
    return g


def expand(g, item, seen):
    if not item.startswith("@"):
        return {item}
    out = set()
    for x in g.get(item, []):
        if x not in seen:
            seen.add(x)
            out |= expand(g, x, seen)
    return out


def main():
    unit, trace, program = sys.argv[1:4]
    g = groups()
    allow, deny = set(), set()
    for line in open(unit, encoding="utf-8"):
        m = re.match(r"^SystemCallFilter=(~?)(.*)$", line.strip())
        if not m:
            continue
        for item in m.group(2).split():
            (deny if m.group(1) else allow).update(expand(g, item, set()))
    if not allow:
        print("no SystemCallFilter= allow list in", unit)
        return 1
    used, started = set(), False
    for line in open(trace, encoding="utf-8", errors="replace"):
        m = re.match(r"^\d+\s+([a-z0-9_]+)\(", line)
        if not m:
            continue
        if not started:
            started = f'execve("{program}",' in line
            continue
        used.add(m.group(1))
    if not started:
        print("no execve of", program, "in", trace)
        return 1
    bad = sorted(c for c in used if c not in allow or c in deny)
    print(f"{len(used)} system calls:", " ".join(sorted(used)))
    if bad:
        print("outside the unit's SystemCallFilter:", " ".join(bad))
        return 1
    return 0


sys.exit(main())
