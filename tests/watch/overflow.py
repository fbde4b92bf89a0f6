"""overflow.py - the agent is stopped (SIGSTOP) while more events arrive
than the inotify queue holds, then resumed: the kernel reports an
overflow, the agent rescans, and nothing malicious is missed -- including
files in directories created while it was stopped (never watched).

When /proc/sys/fs/inotify/max_queued_events is writable (root), it is
lowered to 512 for the agent's inotify instance (the limit is taken when
the instance is created) and restored right after start-up; otherwise
enough events are made to overflow the real limit."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (BENIGN, Agent, Home, check, check_untouched,  # noqa
                      malicious, wait_quarantined)

KNOB = "/proc/sys/fs/inotify/max_queued_events"
with open(KNOB) as f:
    original = int(f.read())
lowered = False
limit = original
try:
    with open(KNOB, "w") as f:
        f.write("512\n")
    lowered = True
    limit = 512
except OSError:
    pass

h = Home()
agent = Agent(h)
try:
    agent.start()
    agent.wait_ready()
finally:
    if lowered:
        with open(KNOB, "w") as f:
            f.write("%d\n" % original)

# Each file is CREATE + CLOSE_WRITE: two events, in directories watched
# before the stop; a few more directories are created while stopped, and
# only the rescan can find them.
nfiles = limit + 200
ndirs = nfiles // 50 + 1
for i in range(ndirs):
    os.makedirs(os.path.join(h.torch, "flood", "d%03d" % i))
time.sleep(1.0)     # the agent watches the new directories
bad, good = [], []
os.kill(agent.pid, signal.SIGSTOP)
try:
    for i in range(nfiles):
        d = os.path.join(h.torch, "flood", "d%03d" % (i // 50))
        p = os.path.join(d, "f%05d.pt" % i)
        if i % 97 == 5:
            data = malicious(i)
            bad.append(p)
        else:
            data = BENIGN
            good.append(p)
        with open(p, "wb") as f:
            f.write(data)
    for i in range(5):
        p = os.path.join(h.torch, "flood", "late%d" % i, "x", "evil.pt")
        os.makedirs(os.path.dirname(p))
        with open(p, "wb") as f:
            f.write(malicious(100000 + i))
        bad.append(p)
finally:
    os.kill(agent.pid, signal.SIGCONT)

agent.wait_for(r"inotify queue overflowed", timeout=30)
wait_quarantined(h, bad, timeout=90)
agent.wait_for(r"rescan complete: ", timeout=90)
time.sleep(0.5)
check_untouched(h, good[:500])
rc = agent.stop()
check(rc == 0, "agent exit status %r after SIGTERM" % rc)
print("ok: queue limit %d%s, %d files while stopped, %d malicious "
      "quarantined after the overflow" %
      (limit, " (lowered)" if lowered else "", nfiles, len(bad)))
