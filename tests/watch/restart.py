"""restart.py - the verdict cache makes restarts cheap: after a clean stop,
a restart analyses none of the unchanged files (it counts them as served
from the cache) and re-analyses exactly the one that changed."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import BENIGN, Agent, Home, check, fail, write  # noqa

h = Home()
files = []
for i in range(300):
    p = os.path.join(h.hub, "models--r--m%d" % (i % 10), "blobs",
                     "%040x" % i)
    write(p, BENIGN + b"\n" * (i % 3))
    files.append(p)

a1 = Agent(h).start()
first = a1.wait_ready()
check(first.get("files") == "300", "first start saw %r files" %
      first.get("files"))
check(first.get("analysed") == "300", "first start analysed %r, "
      "expected 300" % first.get("analysed"))
check(a1.stop() == 0, "first agent did not stop cleanly")
check(os.path.exists(os.path.join(h.state, "vcache")),
      "no verdict cache under $XDG_STATE_HOME/picklewarden")

a2 = Agent(h).start()
second = a2.wait_ready()
check(second.get("analysed") == "0" and second.get("cached") == "300",
      "restart analysed %r and served %r from cache; expected 0 and 300" %
      (second.get("analysed"), second.get("cached")))
check(a2.stop() == 0, "second agent did not stop cleanly")

# One file changes while the agent is down: only it is analysed again.
time.sleep(0.01)
with open(files[17], "ab") as f:
    f.write(b"\n")
a3 = Agent(h).start()
third = a3.wait_ready()
check(third.get("analysed") == "1" and third.get("cached") == "299",
      "after one change: analysed %r, cached %r; expected 1 and 299" %
      (third.get("analysed"), third.get("cached")))
check(a3.stop() == 0, "third agent did not stop cleanly")
print("ok: restart analysed 0 of 300 unchanged files, then 1 changed")
