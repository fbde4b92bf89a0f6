"""blind_degrade.py - issue 18, class 5: degraded watching heals and is
loud.  The agent runs in its own user and mount namespaces (unshare -U -r
-m), so the test can mount under a root and lower the inotify watch limit
(/proc/sys/user/max_inotify_watches of that user namespace).  Skipped
without root, unshare or nsenter.
 a. A root replaced by a symlink to another directory, then that symlink
    pointed elsewhere: files written there are quarantined within 5 s.
 b. A filesystem bind-mounted under a root (no inotify event; the mount
    table says POLLPRI): its malicious file is quarantined within 5 s.
 c. A path longer than PATH_MAX: quarantined within 5 s.
 d. The watch limit is hit: the count of unwatched directories is logged,
    a malicious file in one of them is found by polling within 10 s, and
    once the limit is raised every directory is watched again (logged
    within 20 s)."""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (MEASURE, Agent, Home, check, malicious, ttlog, ttq,  # noqa
                      write)

if os.geteuid() != 0 or not shutil.which("unshare") or \
        not shutil.which("nsenter"):
    print("SKIP: needs root, unshare and nsenter")
    sys.exit(77)
if subprocess.call(["unshare", "-U", "-r", "-m", "true"]) != 0:
    print("SKIP: cannot create user and mount namespaces here")
    sys.exit(77)

h = Home()
agent = Agent(h, prefix=["unshare", "-U", "-r", "-m",
                         "--propagation", "private"]).start()
agent.wait_ready()


def in_ns(*cmd):
    return subprocess.call(["nsenter", "-t", str(agent.pid), "-U", "-m",
                            "--preserve-credentials", "--"] + list(cmd))


# a. Root swapped for a symlink ("moved the cache to a bigger disk").
big = os.path.join(h.outside, "bigdisk")
os.makedirs(big)
os.rename(h.keras, h.keras + ".old")
os.symlink(big, h.keras)
time.sleep(0.3)
p = os.path.join(big, "evil.keras")
t0 = time.monotonic()
write(p, malicious(1))
ttq(h, [p], 5, "root replaced by a symlink", t0)
# ... and pointed elsewhere again (ln -sfn: a new link renamed over the
# old one, no event in the directory it pointed to).
big2 = os.path.join(h.outside, "bigdisk2")
os.makedirs(big2)
os.symlink(big2, h.keras + ".new")
os.rename(h.keras + ".new", h.keras)
time.sleep(0.3)
p = os.path.join(big2, "evil2.keras")
t0 = time.monotonic()
write(p, malicious(5))
ttq(h, [p], 5, "root symlink pointed elsewhere", t0)

# b. A filesystem mounted under a root.
src = os.path.join(h.outside, "mnt-src")
write(os.path.join(src, "evil.bin"), malicious(2))
mnt = os.path.join(h.torch, "mnt")
os.makedirs(mnt)
time.sleep(0.3)
t0 = time.monotonic()
check(in_ns("mount", "--bind", src, mnt) == 0, "bind mount failed")
p = os.path.join(mnt, "evil.bin")
ttlog(agent, r"mount table changed", 5, "mount under a root: noticed", t0)
# The store's record names the path seen inside the agent's namespace.
deadline = time.monotonic() + 5
while time.monotonic() < deadline and p not in h.records():
    time.sleep(0.02)
print("TTQ %-40s %6.2fs" % ("mount under a root",
                            time.monotonic() - t0)
      if p in h.records() else "TTQ mount under a root  never")
check(MEASURE or p in h.records(),
      "the mounted malicious file was not quarantined")

# c. A path longer than PATH_MAX, made fd-relative.
fd = os.open(h.hub, os.O_RDONLY | os.O_DIRECTORY)
parts = []
for i in range(22):
    name = ("d%02d" % i) + "x" * 200
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd)
    fd = nfd
    parts.append(name)
time.sleep(0.5)
deep = os.path.join(h.hub, *parts, "evil.pkl")
check(len(deep) > 4096, "path only %d bytes" % len(deep))
t0 = time.monotonic()
f = os.open("evil.pkl", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
os.write(f, malicious(3))
os.close(f)
os.close(fd)
deadline = time.monotonic() + 5
while time.monotonic() < deadline and deep not in h.records():
    time.sleep(0.02)
check(MEASURE or deep in h.records(),
      "a %d-byte path was not quarantined" % len(deep))
print("TTQ %-40s %6.2fs" % ("path of %d bytes" % len(deep),
                            time.monotonic() - t0)
      if deep in h.records() else "TTQ long path  never")

# d. The watch limit.
check(in_ns("sh", "-c", "echo 1 > /proc/sys/user/max_inotify_watches") == 0,
      "cannot lower the watch limit")
base = os.path.join(h.hub, "many")
for i in range(5):
    os.makedirs(os.path.join(base, "d%d" % i))
ttlog(agent, r"inotify watch limit reached", 5, "watch limit: logged")
ttlog(agent, r"error: \d+ directories are not watched", 10,
      "watch limit: count logged")
p = os.path.join(base, "d4", "evil.pkl")
t0 = time.monotonic()
write(p, malicious(4))
ttq(h, [p], 10, "file in an unwatched directory (polled)", t0)
t0 = time.monotonic()
in_ns("sh", "-c", "echo 100000 > /proc/sys/user/max_inotify_watches")
ttlog(agent, r"every directory is watched again", 20,
      "watch limit raised: healed", t0)
check(agent.stop() == 0, "agent did not stop")
