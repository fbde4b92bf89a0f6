"""blind_perms.py - issue 18, classes 1 and 6 as an unprivileged agent
(run as nobody through setpriv; skipped when not root):
 - a file unreadable to the agent when it is closed is logged at error
   level, and judged (quarantined) when its mode changes;
 - another user's malicious file in a sticky shared directory cannot be
   moved: reported once with the reason, not again at each periodic rescan
   (rescan_interval = 1), and left in place."""
import os
import pwd
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (MEASURE, Agent, Home, check, malicious, ttlog, ttq,  # noqa
                      write)

if os.geteuid() != 0 or shutil.which("setpriv") is None:
    print("SKIP: needs root and setpriv to run the agent as nobody")
    sys.exit(77)
nobody = pwd.getpwnam("nobody")

h = Home()
os.chmod(h.base, 0o755)
conf = os.path.join(h.base, "pw.ini")
with open(conf, "w") as f:
    # (A build before rescan_interval existed refuses the key: measuring
    # one, PW_MEASURE, leaves it out.)
    f.write("[watch]\nroots = %s\n%s" % (
        h.keras, "" if MEASURE else "rescan_interval = 1\n"))
for root, dirs, files in os.walk(h.home):
    os.chown(root, nobody.pw_uid, nobody.pw_gid)
shared = os.path.join(h.keras, "shared")
os.makedirs(shared)
os.chmod(shared, 0o1777)     # root's, sticky: like /tmp

agent = Agent(h, args=["--config", conf], prefix=[
    "setpriv", "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nobody.pw_gid,
    "--clear-groups", "--"]).start()
agent.wait_ready()

# a. Unreadable at its close, readable later.
p = os.path.join(h.keras, "locked.pkl")
fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o000)
os.write(fd, malicious(1))
os.close(fd)
ttlog(agent, r'error.*cannot open path="[^"]*locked\.pkl"', 10,
      "unreadable file: error logged")
t0 = time.monotonic()
os.chmod(p, 0o644)
ttq(h, [p], 10, "unreadable, then chmod 644", t0)

# b. Another user's file in a sticky directory: reported once, left.
q = os.path.join(shared, "theirs.pkl")
os.umask(0o022)
write(q, malicious(2))
ttlog(agent, r'left in place path="[^"]*theirs\.pkl"', 10,
      "unmovable file: reported")
time.sleep(3.5)     # three periodic rescans
if MEASURE:
    sys.exit(0)
n = agent.log().count("theirs.pkl\" reason=")
check(os.path.exists(q), "the other user's file is gone")
check(agent.log().count("periodic rescan") >= 2,
      "no periodic rescan ran in 3.5 s with rescan_interval = 1")
check(n == 1, "the unmovable file was reported %d times, not once" % n)
print("ok: reported once over %d rescans" %
      agent.log().count("periodic rescan"))
rc = agent.stop()
check(rc == 0, "agent exit status %r" % rc)
subprocess.call(["rm", "-rf", q])
