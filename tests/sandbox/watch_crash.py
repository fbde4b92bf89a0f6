"""watch_crash.py - a file that crashes its scan worker, under `watch`:
the agent logs it once as an error with a crash finding, keeps serving
(the next malicious file is quarantined), remembers it across a restart
(not scanned, crashed and logged again), and its workers run under
seccomp with no_new_privs.  $PICKLEWARDEN is tests/sandbox/
picklewarden-hooks: its workers obey "PWTESTHOOK:" files."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests", "watch"))
from watchlib import (BENIGN, Agent, Home, check, children,  # noqa
                      malicious, wait_quarantined, write)


def status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return fields


h = Home()
# The default for an error on a file a loader would run is quarantine (a
# crashing file is one: fail closed); this test is about logging it once
# and never scanning it again, so it asks for the log action.
cfgdir = os.path.join(h.home, ".config", "picklewarden")
os.makedirs(cfgdir)
with open(os.path.join(cfgdir, "picklewarden.ini"), "w") as f:
    f.write("[actions]\nerror = log\n")
crash = os.path.join(h.hub, "models--c--m", "blobs", "e5" * 20)
write(crash, b"PWTESTHOOK:abort\n")
good = os.path.join(h.hub, "models--g--m", "blobs", "f6" * 20)
write(good, BENIGN)

a1 = Agent(h).start()
first = a1.wait_ready()
check(first.get("analysed") == "2", "startup analysed %r files, "
      "expected 2" % first.get("analysed"))
a1.wait_for(r"verdict=error [^\n]*" + os.path.basename(crash), 10)

# The agent keeps serving: a malicious file after the crash is handled.
# (Outside the HF cache: a blob's finished name would get a tombstone,
# a new file that the restart below would rightly analyse.)
bad = os.path.join(h.keras, "after-crash.pkl")
write(bad, malicious(3))
wait_quarantined(h, [bad])

# Its workers are locked down.
kids = children(a1.pid)
check(len(kids) >= 1, "the agent has no worker processes")
for k in kids:
    st = status(k)
    check(st.get("Seccomp") == "2", "worker %d: Seccomp %r" %
          (k, st.get("Seccomp")))
    check(st.get("NoNewPrivs") == "1", "worker %d: NoNewPrivs %r" %
          (k, st.get("NoNewPrivs")))

time.sleep(0.5)
log = a1.log()
# One decision is two lines: the short one for people, then the
# key=value decision line.  A file scanned again would add a pair.
lines = [ln for ln in log.splitlines() if os.path.basename(crash) in ln]
decisions = [ln for ln in lines if "decision action=" in ln]
check(len(decisions) == 1 and len(lines) == 2,
      "the crashing file was logged %d times:\n%s" %
      (len(decisions), "\n".join(lines)))
check("crash" in decisions[0] and "SIGABRT" in decisions[0],
      "the decision line does not say the worker crashed: %s" % decisions[0])
check(all("SIGABRT" in ln for ln in lines),
      "the short line does not say the worker crashed: %r" % lines)
check(os.path.exists(crash) and os.path.exists(good),
      "a file that only needed logging was moved")
check(a1.stop() == 0, "the agent did not stop cleanly")

# A restart does not meet the crashing file again.
a2 = Agent(h).start()
second = a2.wait_ready()
check(second.get("analysed") == "0", "restart analysed %r files "
      "(the crashing one again?), expected 0" % second.get("analysed"))
check(os.path.basename(crash) not in a2.log(),
      "the restarted agent logged the crashing file again")
check(a2.stop() == 0, "the second agent did not stop cleanly")
print("ok: a worker crash is one error line, the agent goes on, and a "
      "restart does not rescan the file")
