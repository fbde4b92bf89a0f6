"""watch_no_worker.py - the agent itself cannot scan (no scan worker
starts: $PICKLEWARDEN is tests/sandbox/picklewarden-hooks, whose workers
refuse to start while PICKLEWARDEN_TEST_NO_WORKER_WHILE names a file that
exists).  A file that arrives then has no verdict: it must not be left
unjudged until it happens to change.  It is tried again with back-off,
and once workers start again the malicious one is quarantined and the
benign one judged clean and taken off the retry list."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests", "watch"))
from watchlib import (BENIGN, Agent, Home, check, children,  # noqa
                      malicious, wait_quarantined, write)


h = Home()
flag = os.path.join(h.base, "no-worker")
a = Agent(h, env={"PICKLEWARDEN_TEST_NO_WORKER_WHILE": flag}).start()
a.wait_ready()
# From now on no worker starts; kill the idle ones, so the next scan
# needs a new one.
with open(flag, "w"):
    pass
for k in children(a.pid):
    os.kill(k, signal.SIGKILL)
time.sleep(0.3)

bad = os.path.join(h.keras, "arrives-while-no-worker.pkl")
good = os.path.join(h.keras, "benign-while-no-worker.pkl")
write(bad, malicious(7))
write(good, BENIGN)
a.wait_for(r"scan failed, file left in place and retried "
           r"path=\"[^\"]*arrives-while-no-worker\.pkl\"", 20)
a.wait_for(r"scan failed, file left in place and retried "
           r"path=\"[^\"]*benign-while-no-worker\.pkl\"", 20)
# Still failing: retried, and said so.
a.wait_for(r"scan failed again, still in place "
           r"path=\"[^\"]*arrives-while-no-worker\.pkl\"", 20)
check(os.path.exists(bad), "the file moved although it was never judged")

# Workers start again: the retry judges both.
os.unlink(flag)
wait_quarantined(h, [bad], timeout=30)
# A clean file has no decision line; its scan is at debug level, by inode.
st = os.stat(good)
a.wait_for(r"scanned inode=%d:%d verdict=clean" % (st.st_dev, st.st_ino), 30)
check(os.path.exists(good), "the benign file was moved")
# Judged clean, it leaves the retry list: no more attempts (the back-off
# is at most a few seconds here, so 4 s would show one).
n = a.log().count("benign-while-no-worker.pkl")
time.sleep(4)
check(a.log().count("benign-while-no-worker.pkl") == n and
      a.log().count("inode=%d:%d " % (st.st_dev, st.st_ino)) == 1,
      "the benign file is still being retried after its verdict:\n" +
      "\n".join(ln for ln in a.log().splitlines()
                if "benign-while-no-worker" in ln))
check(a.stop() == 0, "the agent did not stop cleanly")
print("ok: a file the agent could not scan is retried until it is judged; "
      "then the malicious one is quarantined and the benign one left alone")
