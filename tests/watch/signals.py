"""signals.py - SIGHUP reloads the configuration: a bad file is refused and
the running configuration kept (the agent still scans what lands); a good
one is taken (here it adds a root).  SIGTERM stops cleanly, with status 0.
Readiness and status reach $NOTIFY_SOCKET.  Scans are checked through their decision log lines."""
import os
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import Agent, Home, check, fail, malicious, write  # noqa

h = Home()
extra = os.path.join(h.base, "extra-root")
os.makedirs(extra)
conf = os.path.join(h.base, "pw.ini")


def config(roots):
    with open(conf, "w") as f:
        f.write("[watch]\nroots = %s\n" % roots)


config(h.keras)
sock_path = os.path.join(h.base, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sock_path)
sock.settimeout(30)

agent = Agent(h, args=["--config", conf],
              env={"NOTIFY_SOCKET": sock_path,
                   "WATCHDOG_USEC": "400000"}).start()
agent.wait_ready()
got = []
while "READY=1" not in got:
    try:
        got.append(sock.recv(4096).decode())
    except socket.timeout:
        fail("no READY=1 on $NOTIFY_SOCKET (got %r)" % got)
# The watchdog was asked for every 0.4 s: pings come every 0.2 s.
pings = 0
while pings < 3:
    msg = sock.recv(4096).decode()
    pings += msg == "WATCHDOG=1"
    if msg.startswith("STATUS="):
        check("watched" in msg, "odd status %r" % msg)

# A bad configuration is refused; the old one keeps working.
with open(conf, "w") as f:
    f.write("[watch]\nroots = %s\nno_such_key = 1\n" % h.keras)
mark = len(agent.log())
os.kill(agent.pid, signal.SIGHUP)
agent.wait_for(r"reload refused.*no_such_key", timeout=10, after=mark)
p = os.path.join(h.keras, "after-bad-reload.pkl")
write(p, malicious(1))
agent.wait_for(r"(decision|scan failed).*after-bad-reload\.pkl", timeout=10)

# A good one adds a root: files landing there are scanned.
config("%s, %s" % (h.keras, extra))
mark = len(agent.log())
os.kill(agent.pid, signal.SIGHUP)
agent.wait_for(r"configuration reloaded", timeout=10, after=mark)
agent.wait_for(r"rescan complete", timeout=20, after=mark)
p = os.path.join(extra, "in-new-root.pkl")
write(p, malicious(2))
agent.wait_for(r"(decision|scan failed).*in-new-root\.pkl", timeout=10)

rc = agent.stop(timeout=10)
check(rc == 0, "exit status %r after SIGTERM" % rc)
check("stopping:" in agent.log(), "no stopping line")
print("ok: bad reload refused, good reload applied, clean SIGTERM")
