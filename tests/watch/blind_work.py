"""blind_work.py - issue 18, class 6: the work an attacker can force is
bounded.  One file whose analysis ends in `error` (an opcode limit) is
hard-linked 60 times into a root: it is analysed once or twice (jobs for
one inode merge, and the error verdict is cached with the file's
identity), and a small malicious file arriving right behind the links is
quarantined within 5 s, not after the backlog."""
import os
import pickle
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (MEASURE, Agent, Home, check, malicious, ttq,  # noqa
                      write)

h = Home()
conf = os.path.join(h.base, "pw.ini")
with open(conf, "w") as f:
    # error = log: this is about the work an attacker's error file costs
    # when it stays in place (under the fail-closed default each link
    # would be quarantined, which is another test's subject).
    f.write("[watch]\nroots = %s\n[actions]\nerror = log\n"
            "[limits]\nmax_opcodes = 3000000\n" % h.keras)
agent = Agent(h, args=["--config", conf]).start()
agent.wait_ready()

slow = os.path.join(h.outside, "slow.pkl")
write(slow, pickle.dumps([i % 200 for i in range(4000000)], protocol=2))
links = os.path.join(h.keras, "links")
os.makedirs(links)
time.sleep(0.3)
t0 = time.monotonic()
for i in range(60):
    os.link(slow, os.path.join(links, "copy%02d.pkl" % i))
p = os.path.join(h.keras, "small-evil.pkl")
write(p, malicious(1))
ttq(h, [p], 5, "small file behind 60 slow links", t0)
time.sleep(3.0)
agent.stop()
m = re.search(r"stopping: analysed=(\d+) cached=(\d+)", agent.log())
check(m is not None, "no stopping line")
analysed = int(m.group(1))
print("TTQ %-40s %s analyses" % ("60 links of one error file", analysed))
check(MEASURE or analysed <= 3,
      "the linked file was analysed %d times" % analysed)
