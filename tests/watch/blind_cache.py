"""blind_cache.py - issue 18, class 2: the verdict cache trusts content,
not timestamps.  A file judged clean is changed through a shared mapping
whose pages were already dirty (no timestamp changes, no MODIFY):
 a. while the agent runs: the unmap is a CLOSE_WRITE, and a file that was
    open for writing is judged again whatever the cache says;
 b. while the agent is stopped: at the next start the cached entry's
    content digest no longer matches, and the file is judged again.
Both must be quarantined within 10 s."""
import mmap
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import Agent, Home, check, ttq, write  # noqa

EVIL = b"cos\nsystem\n(S'echo pwned'\ntR."
# A clean pickle of the same length: one string.
CLEAN = b"S'" + b"x" * (len(EVIL) - 5) + b"'\n."
assert len(CLEAN) == len(EVIL)


def dirty_map(path):
    """Maps path shared and dirties its page with the bytes it already
    holds (this first write fault is what updates mtime)."""
    fd = os.open(path, os.O_RDWR)
    m = mmap.mmap(fd, len(CLEAN), mmap.MAP_SHARED,
                  mmap.PROT_READ | mmap.PROT_WRITE)
    m[0:len(CLEAN)] = CLEAN
    os.close(fd)        # the mapping keeps the file open for writing
    return m


def stamps(path):
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


h = Home()
agent = Agent(h).start()
agent.wait_ready()

# a. While the agent runs.
p = os.path.join(h.keras, "mapped.pkl")
write(p, CLEAN)
m = dirty_map(p)
time.sleep(1.0)     # the CLOSE_WRITE of write() was judged: clean
before = stamps(p)
t0 = time.monotonic()
m[0:len(EVIL)] = EVIL
same = stamps(p) == before
m.close()           # the last reference: CLOSE_WRITE
print("mapping write left the timestamps unchanged: %s" % same)
ttq(h, [p], 10, "mapping write, agent running", t0)

# b. While the agent is stopped.
q = os.path.join(h.keras, "mapped2.pkl")
write(q, CLEAN)
check(agent.stop() == 0, "agent did not stop")
m = dirty_map(q)    # the fault updates mtime; the page stays writable
# A start judges the file as it is now (clean) and caches it.
agent = Agent(h).start()
agent.wait_ready()
before = stamps(q)
check(agent.stop() == 0, "agent did not stop")
m[0:len(EVIL)] = EVIL
m.close()
same = stamps(q) == before
print("mapping write while stopped left the timestamps unchanged: %s" %
      same)
t0 = time.monotonic()
agent = Agent(h).start()
ttq(h, [q], 10, "mapping write, agent stopped (restart)", t0)
check(agent.stop() == 0, "agent did not stop")
