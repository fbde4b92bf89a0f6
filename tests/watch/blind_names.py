"""blind_names.py - issue 18, classes 3 and 4: names are no safety
boundary, and symlinks are resolved.
 - In-progress names away from their downloader's place, skipped directory
   names away from their Hugging Face place, and any rename target are
   judged: each malicious file is quarantined within 5 s.
 - A symlink in a root to a malicious file outside the roots: the target is
   judged and reported with both paths within 5 s, and left in place (not
   ours to move).  A symlink to a malicious file the agent does not judge on
   sight (under .locks) is judged through the link: quarantined.  A symlink
   into the quarantine store is reported as malicious by placement."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (Agent, Home, check, malicious, ttlog, ttq,  # noqa
                      write)

h = Home()
agent = Agent(h).start()
agent.wait_ready()
n = [10]


def mal():
    n[0] += 1
    return malicious(n[0])


snap = os.path.join(h.hub, "models--a--b", "snapshots", "0123")
cases = [
    ("*.incomplete outside blobs/", os.path.join(snap, "w.incomplete")),
    ("*.lock outside .locks/", os.path.join(h.torch, "checkpoints",
                                            "model.lock")),
    ("*.partial outside checkpoints/", os.path.join(h.keras, "m.partial")),
    ("xet/ inside a snapshot", os.path.join(snap, "xet", "model.bin")),
    (".locks/ inside a repo", os.path.join(h.hub, "models--a--b", ".locks",
                                           "model.bin")),
]
for label, p in cases:
    t0 = time.monotonic()
    write(p, mal())
    ttq(h, [p], 5, label, t0)

# A rename onto an in-progress name at its place is judged too.
src = os.path.join(h.outside, "r.bin")
write(src, mal())
dst = os.path.join(h.hub, "models--a--b", "blobs", "e5" * 20 + ".incomplete")
os.makedirs(os.path.dirname(dst), exist_ok=True)
t0 = time.monotonic()
os.rename(src, dst)
ttq(h, [dst], 5, "rename onto blobs/*.incomplete", t0)

# Symlink to a malicious file outside the roots.
target = os.path.join(h.outside, "evil-target.bin")
write(target, mal())
link = os.path.join(snap, "pytorch_model.bin")
t0 = time.monotonic()
os.symlink(target, link)
ttlog(agent, r'symlink in a root points at a malicious file link="%s" '
      r'target="%s"' % (link, target), 5, "symlink to outside target", t0)
check(os.path.exists(target), "a target outside the roots was moved")
check(os.path.islink(link), "the symlink was removed")

# Symlink to a malicious file in a directory not judged on sight.
hidden = os.path.join(h.hub, ".locks", "models--a--b", "x.lock")
write(hidden, mal())
link2 = os.path.join(snap, "model2.bin")
t0 = time.monotonic()
os.symlink(os.path.relpath(hidden, snap), link2)
ttq(h, [hidden], 5, "symlink to a file under hub/.locks", t0)

# Symlink into the quarantine store.
entries = [e for e in os.listdir(h.quarantine) if not e.startswith(".")]
stored = None
for e in entries:
    for f in os.listdir(os.path.join(h.quarantine, e)):
        if f != "record.json":
            stored = os.path.join(h.quarantine, e, f)
check(stored is not None, "no stored file to link to")
link3 = os.path.join(snap, "model3.bin")
t0 = time.monotonic()
os.symlink(stored, link3)
ttlog(agent, r'symlink into the quarantine store: malicious by placement '
      r'link="%s"' % link3, 5, "symlink into the quarantine store", t0)
check(agent.stop() == 0, "agent did not stop")
