"""qdir.py - the quarantine directory is never watched nor walked, even
when the configuration puts it inside a watched root: a quarantined file
is taken once, never scanned (and taken) again from the store, including
across a restart's start-up scan and an overflow rescan."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (Agent, Home, check, malicious,  # noqa
                      wait_quarantined, write)

h = Home()
store = os.path.join(h.keras, "quarantine")
h.quarantine = store
conf = os.path.join(h.base, "pw.ini")
with open(conf, "w") as f:
    f.write("[watch]\nroots = %s\n[quarantine]\ndirectory = %s\n" %
            (h.keras, store))

agent = Agent(h, args=["--config", conf]).start()
agent.wait_ready()
bad = [os.path.join(h.keras, "m%d.pkl" % i) for i in range(3)]
for i, p in enumerate(bad):
    write(p, malicious(i + 1))
wait_quarantined(h, bad, timeout=20)
time.sleep(0.5)
check(len(h.records()) == 3, "%d store entries for 3 files" %
      len(h.records()))
check(agent.stop() == 0, "agent did not stop cleanly")

# A restart walks the root, and so would reach the store: it must not.
agent = Agent(h, args=["--config", conf]).start()
ready = agent.wait_ready()
check(ready.get("quarantined") == "0" and ready.get("files") == "0",
      "start-up scan touched the store: %r" % ready)
check(len(h.records()) == 3, "store changed after restart")
check(agent.stop() == 0, "agent did not stop cleanly")
print("ok: the store inside a root was never scanned")
