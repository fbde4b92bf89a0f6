"""burst.py - 2,000 files across 50 freshly created nested directories,
100 of them malicious, written as fast as Python can: all 100 are
quarantined, all 1,900 benign files are untouched."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (BENIGN, Agent, Home, check, check_untouched,  # noqa
                      malicious, wait_quarantined)

h = Home()
agent = Agent(h).start()
agent.wait_ready()

# 10 trees of 5 nested levels = 50 new directories, 40 files each.
dirs = []
for t in range(10):
    d = os.path.join(h.hub, "burst", "t%d" % t)
    for level in range(5):
        d = os.path.join(d, "l%d" % level)
        dirs.append(d)
check(len(dirs) == 50, "50 directories")

bad, good = [], []
t0 = time.monotonic()
k = 0
for i, d in enumerate(dirs):
    os.makedirs(d, exist_ok=True)
    for j in range(40):
        p = os.path.join(d, "f%02d.bin" % j)
        if j % 20 == 7:         # 2 per directory, 100 in all
            data = malicious(k + 1)
            bad.append(p)
            k += 1
        else:
            data = BENIGN
            good.append(p)
        with open(p, "wb") as f:
            f.write(data)
written = time.monotonic() - t0
check(len(bad) == 100 and len(good) == 1900, "100 + 1900 files")

wait_quarantined(h, bad, timeout=90)
took = time.monotonic() - t0
time.sleep(1.0)
check_untouched(h, good)
check(len(h.records()) == 100,
      "%d quarantine entries, expected 100" % len(h.records()))
rc = agent.stop()
check(rc == 0, "agent exit status %r after SIGTERM" % rc)
print("ok: wrote 2000 files in %.2fs; all 100 malicious quarantined "
      "%.2fs after the first write" % (written, took))
