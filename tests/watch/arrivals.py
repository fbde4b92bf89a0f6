"""arrivals.py - each way a model file really arrives in a cache, replayed
with a malicious and a benign file: the malicious one ends up in
quarantine (with its record), the benign one is untouched, symlinks to
benign files are left alone.  A download in progress is judged when its
writer closes it (before the downloader's rename), so a malicious one is
quarantined under its temporary name or its final one, whichever it had
when judged: `either` holds those pairs."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (BENIGN, Agent, Home, check, check_untouched,  # noqa
                      is_tombstone, malicious, wait_quarantined, write)

h = Home()
agent = Agent(h).start()
agent.wait_ready()

bad, good, left_alone, either = [], [], [], []


def rename(src, dst):
    """The downloader's rename: the file may already be in quarantine."""
    try:
        os.rename(src, dst)
    except FileNotFoundError:
        pass

n = [0]


def mal():
    n[0] += 1
    return malicious(n[0])


# 1. Hugging Face hub, current: blobs/<etag>.<8 hex>.incomplete, renamed to
#    blobs/<etag> (no extension), then a relative symlink in snapshots/.
def hf_current(repo, data, etag):
    blobs = os.path.join(h.hub, repo, "blobs")
    snap = os.path.join(h.hub, repo, "snapshots", "0123abcd")
    os.makedirs(os.path.join(h.hub, ".locks", repo), exist_ok=True)
    write(os.path.join(h.hub, ".locks", repo, etag + ".lock"), b"")
    tmp = os.path.join(blobs, etag + ".3f9a1c2b.incomplete")
    os.makedirs(blobs, exist_ok=True)
    with open(tmp, "wb") as f:          # written in pieces, like a download
        f.write(data[:5])
        f.flush()
        time.sleep(0.05)
        f.write(data[5:])
    rename(tmp, os.path.join(blobs, etag))
    os.makedirs(snap, exist_ok=True)
    link = os.path.join(snap, "pytorch_model.bin")
    os.symlink(os.path.join("..", "..", "blobs", etag), link)
    return (tmp, os.path.join(blobs, etag)), link


b, link = hf_current("models--evil--m", mal(), "a1" * 20)
either.append(b)
b, link = hf_current("models--good--m", BENIGN, "b2" * 20)
good += [b[1], link]

# 2. Hugging Face hub, older: a fixed blobs/<etag>.incomplete, renamed.
#    One interrupted download stays .incomplete: never scanned.
blobs = os.path.join(h.hub, "models--old--m", "blobs")
write(os.path.join(blobs, "c3" * 20 + ".incomplete"), mal())
rename(os.path.join(blobs, "c3" * 20 + ".incomplete"),
       os.path.join(blobs, "c3" * 20))
either.append((os.path.join(blobs, "c3" * 20 + ".incomplete"),
               os.path.join(blobs, "c3" * 20)))
# An interrupted download is judged too: a loader can be pointed at it.
interrupted = os.path.join(blobs, "d4" * 20 + ".incomplete")
write(interrupted, mal())
bad.append(interrupted)
# Lock files and xet chunks are never scanned, whatever their bytes.
lockfile = os.path.join(h.hub, ".locks", "models--old--m", "x.lock")
write(lockfile, mal())
left_alone.append(lockfile)
xetchunk = os.path.join(h.hub, "xet", "chunks", "abcd")
write(xetchunk, mal())
left_alone.append(xetchunk)

# 3. torch.hub 1.x: checkpoints/tmpXXXXXXXX, then renamed; 2.x: .partial.
ckpt = os.path.join(h.torch, "checkpoints")
os.makedirs(ckpt, exist_ok=True)
tmp = os.path.join(ckpt, "tmpq8_zk2ma")
write(tmp, mal())
time.sleep(0.3)
rename(tmp, os.path.join(ckpt, "resnet18-f37072fd.pth"))
either.append((tmp, os.path.join(ckpt, "resnet18-f37072fd.pth")))
tmp = os.path.join(ckpt, "vit.pth.0123456789abcdef0123456789abcdef.partial")
write(tmp, mal())
rename(tmp, os.path.join(ckpt, "vit.pth"))
either.append((tmp, os.path.join(ckpt, "vit.pth")))
tmp = os.path.join(ckpt, "tmpgood1234")
write(tmp, BENIGN)
os.rename(tmp, os.path.join(ckpt, "good.pth"))
good.append(os.path.join(ckpt, "good.pth"))

# 4. Keras: the final name written in place (CLOSE_WRITE only).
write(os.path.join(h.keras, "evil.keras"), mal())
bad.append(os.path.join(h.keras, "evil.keras"))
write(os.path.join(h.keras, "good.h5"), BENIGN)
good.append(os.path.join(h.keras, "good.h5"))

# 5. A hard link: CREATE only.  The copy outside the roots is not ours.
outside_bad = os.path.join(h.outside, "linked.pt")
write(outside_bad, mal())
os.link(outside_bad, os.path.join(h.torch, "linked.pt"))
bad.append(os.path.join(h.torch, "linked.pt"))
outside_good = os.path.join(h.outside, "linked-good.pt")
write(outside_good, BENIGN)
os.link(outside_good, os.path.join(h.torch, "linked-good.pt"))
good.append(os.path.join(h.torch, "linked-good.pt"))

# 6. A directory moved in with files inside (one MOVED_TO, nothing else).
src = os.path.join(h.outside, "moved")
write(os.path.join(src, "sub", "deep", "evil.bin"), mal())
write(os.path.join(src, "evil2.bin"), mal())
write(os.path.join(src, "sub", "good.bin"), BENIGN)
os.rename(src, os.path.join(h.hub, "moved"))
bad += [os.path.join(h.hub, "moved", "sub", "deep", "evil.bin"),
        os.path.join(h.hub, "moved", "evil2.bin")]
good.append(os.path.join(h.hub, "moved", "sub", "good.bin"))

# 7. A new directory receiving files at once (before any watch can exist).
new = os.path.join(h.keras, "fresh")
os.makedirs(os.path.join(new, "a", "b"))
for i in range(5):
    write(os.path.join(new, "a", "b", "evil%d.pkl" % i), mal())
    bad.append(os.path.join(new, "a", "b", "evil%d.pkl" % i))
    write(os.path.join(new, "good%d.pkl" % i), BENIGN)
    good.append(os.path.join(new, "good%d.pkl" % i))

# 8. Symlinks are never followed for the walk: a directory link outside
#    the roots is not entered.  (A file link's target is judged and
#    reported, never moved when outside the roots: see symlinks.py.)
write(os.path.join(h.outside, "tdir", "evil.pkl"), mal())
os.symlink(os.path.join(h.outside, "tdir"), os.path.join(h.keras, "ldir"))
left_alone += [os.path.join(h.outside, "tdir", "evil.pkl"), outside_bad]

wait_quarantined(h, bad, timeout=30)


def either_done():
    recs = h.records()
    # The finished name of an HF blob may hold our tombstone instead.
    return all(not os.path.lexists(a) and
               (not os.path.lexists(b) or is_tombstone(b)) and
               (a in recs or b in recs) for a, b in either)


deadline = time.time() + 30
while not either_done() and time.time() < deadline:
    time.sleep(0.05)
check(either_done(), "a malicious download was not quarantined under "
      "either of its names: %r" % (either,))
time.sleep(1.0)     # let anything wrongly queued reach its decision
check_untouched(h, good + left_alone)
check(os.path.islink(os.path.join(h.hub, "models--good--m", "snapshots",
                                  "0123abcd", "pytorch_model.bin")),
      "the benign snapshot symlink was touched")
check(len(h.records()) == len(bad) + len(either),
      "%d quarantine entries for %d malicious files" %
      (len(h.records()), len(bad) + len(either)))
rc = agent.stop()
check(rc == 0, "agent exit status %r after SIGTERM" % rc)
print("ok: %d malicious quarantined, %d benign and %d others untouched" %
      (len(bad), len(good), len(left_alone)))
