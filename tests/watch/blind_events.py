"""blind_events.py - issue 18, class 1: every way a name can appear is an
arrival.  Each technique leaves a malicious file in a root without the
CLOSE_WRITE/MOVED_TO the agent used to wait for; each must be quarantined
within 10 s (the debounce judges a quiet file after 0.5 s and a file that
keeps changing at least every 3 s)."""
import ctypes
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (BENIGN, Agent, Home, malicious, ttq, write,  # noqa
                      write_open)

LIMIT = 10.0


def linkat_follow(src, dst):
    """linkat(AT_FDCWD, src, AT_FDCWD, dst, AT_SYMLINK_FOLLOW)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.linkat(-100, src.encode(), -100, dst.encode(), 0x400) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
h = Home()
agent = Agent(h).start()
agent.wait_ready()
keep = []

# a. O_TMPFILE + linkat: the file is born nameless, its only event is the
#    CREATE of the link; the writer keeps its descriptor open.
d = os.path.join(h.torch, "tmpfile")
os.makedirs(d)
t0 = time.monotonic()
fd = os.open(d, os.O_TMPFILE | os.O_WRONLY, 0o644)
os.write(fd, malicious(1))
dst = os.path.join(d, "model.pt")
linkat_follow("/proc/self/fd/%d" % fd, dst)
keep.append(fd)
ttq(h, [dst], LIMIT, "O_TMPFILE + linkat", t0)

# b. A hard link made and its source unlinked at once: link count 1 by the
#    time anyone looks, CREATE only.
src = os.path.join(h.outside, "src.pt")
write(src, malicious(2))
dst = os.path.join(h.hub, "hardlinked.bin")
t0 = time.monotonic()
os.link(src, dst)
os.unlink(src)
ttq(h, [dst], LIMIT, "hard link, source unlinked", t0)

# c. A new file whose writer never closes it.
dst = os.path.join(h.keras, "open-writer.keras")
t0 = time.monotonic()
keep.append(write_open(dst, malicious(3)))
ttq(h, [dst], LIMIT, "writer never closes (new file)", t0)

# d. A file judged clean, rewritten with O_TRUNC by a writer that keeps it
#    open: MODIFY only.
dst = os.path.join(h.keras, "rewritten.h5")
write(dst, BENIGN)
time.sleep(1.0)     # judged clean meanwhile
t0 = time.monotonic()
keep.append(write_open(dst, malicious(4)))
ttq(h, [dst], LIMIT, "O_TRUNC rewrite kept open", t0)

# e. A writer that keeps writing: judged while it writes (a malicious
#    first pickle followed by a stream of padding).
dst = os.path.join(h.keras, "streaming.pkl")
t0 = time.monotonic()
f = write_open(dst, malicious(5))
while time.monotonic() - t0 < LIMIT and os.path.exists(dst):
    f.write(b"\0" * 4096)
    f.flush()
    time.sleep(0.1)
keep.append(f)
ttq(h, [dst], LIMIT, "writer keeps writing", t0)

for k in keep:
    try:
        k.close() if hasattr(k, "close") else os.close(k)
    except OSError:
        pass
rc = agent.stop()
print("ok: agent exit status %r" % rc)
