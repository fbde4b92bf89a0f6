"""landing.py - scan while it lands, end to end (real binary, real inotify).

Downloads are simulated the way huggingface_hub lands a file: the bytes go
to models--org--name/blobs/<sha>.incomplete in 1 MB writes, the file is
renamed to its blob name, and the snapshot link is made.

  (a) a PyTorch zip (data.pkl first, os.system in it) and (b) a raw pickle
      (os.system first), ~24 MB each written at 20 MB/s: quarantined while
      still being written; the writer's rename then fails with ENOENT.
      Printed: how many bytes had been written when the name vanished.
  (c) a benign zip-format state dict of 200 MB: completes untouched, and
      the agent and its scan workers together read it at most twice.
      Measured from the kernel: the rchar of /proc/PID/io (bytes returned
      by read/pread) of the agent and of every worker, before the download
      and after its full scan; the workers must be the same processes
      before and after (a replaced worker takes its counters with it).
  (d) a loader that opens the snapshot path right after the landing
      (rename, link, open+read at once) never gets the payload's bytes.

Files are generated with the standard library only (no torch).
"""
import errno
import hashlib
import io
import os
import pickle
import re
import subprocess
import sys
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import Agent, Home, check, fail, wait_until  # noqa: E402

MB = 1 << 20
RATE = 20 * MB          # bytes per second for (a), (b), (d)
PAYLOAD = b"echo pwned-while-landing"

home = Home()
cfg = os.path.join(home.base, "picklewarden.conf")
with open(cfg, "w") as f:
    f.write("[agent]\nworkers = 2\n")
agent = Agent(home, ["--config", cfg]).start()
agent.wait_ready()
repo = os.path.join(home.hub, "models--org--name")
rev = "0123456789abcdef0123456789abcdef01234567"
os.makedirs(os.path.join(repo, "blobs"))
os.makedirs(os.path.join(repo, "snapshots", rev))
os.makedirs(os.path.join(repo, "refs"))
with open(os.path.join(repo, "refs", "main"), "w") as f:
    f.write(rev)


def evil_pickle():
    """os.system(PAYLOAD) at protocol 2, then a dict: what a poisoned
    checkpoint's data.pkl runs first."""
    return (b"\x80\x02cposix\nsystem\nX" + len(PAYLOAD).to_bytes(4, "little")
            + PAYLOAD + b"\x85R0" + pickle.dumps({"w": 1}, protocol=2)[2:])


def torch_like_zip(data_pkl, storages, storage_size):
    """A zip laid out as torch.save writes one: <top>/data.pkl first, then
    the storages, then the central directory (written last)."""
    buf = io.BytesIO()
    block = os.urandom(MB)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", data_pkl)
        for i in range(storages):
            z.writestr("archive/data/%d" % i,
                       (block * (storage_size // MB + 1))[:storage_size])
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


def raw_pickle_with_payload(total):
    """A raw pickle stream: the os.system call first, then ~total bytes of
    tensor-like data (a list of 1 MB byte strings)."""
    out = bytearray(evil_pickle()[:-1])      # drop its STOP: one stream
    out += b"0]("                             # POP the dict, a list
    block = os.urandom(MB)
    while len(out) < total:
        out += b"B" + len(block).to_bytes(4, "little") + block
    out += b"e."
    return bytes(out)


def land(name, data, rate=RATE, chunk=MB, link_as=None, open_at_once=False):
    """Writes data to blobs/<sha>.incomplete in chunk-sized writes at rate
    bytes/s, then renames and links it as huggingface_hub does.  Returns
    (bytes written when the .incomplete name vanished or None, the
    rename's errno or 0, what a loader read through the link or None)."""
    sha = hashlib.sha256(data + name.encode()).hexdigest()
    blob = os.path.join(repo, "blobs", sha)
    part = blob + ".incomplete"
    vanished_at = None
    t0 = time.monotonic()
    with open(part, "wb") as f:
        for off in range(0, len(data), chunk):
            f.write(data[off:off + chunk])
            f.flush()
            if vanished_at is None and not os.path.lexists(part):
                vanished_at = off + len(data[off:off + chunk])
            due = t0 + (off + chunk) / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
    if vanished_at is None and not os.path.lexists(part):
        vanished_at = len(data)
    rename_errno = 0
    try:
        os.rename(part, blob)
    except OSError as e:
        rename_errno = e.errno
    got = None
    if link_as is not None:
        link = os.path.join(repo, "snapshots", rev, link_as)
        os.symlink("../../blobs/" + sha, link)
        if open_at_once:
            try:
                with open(link, "rb") as f:
                    got = f.read()
            except OSError:
                got = b""
    return vanished_at, rename_errno, got


def agent_pids():
    """The agent and its scan workers (its child processes)."""
    pids = [agent.pid]
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read()
        except OSError:
            continue
        if int(st.rsplit(")", 1)[1].split()[1]) == agent.pid:
            pids.append(int(p))
    return sorted(pids)


def rchar(pids):
    total = 0
    for p in pids:
        with open("/proc/%d/io" % p) as f:
            for line in f:
                if line.startswith("rchar:"):
                    total += int(line.split()[1])
    return total


def quarantined_count():
    return len(home.entries())


# ---- (a) a malicious PyTorch zip ------------------------------------------
zdata = torch_like_zip(evil_pickle(), 23, MB)
vanished, err, _ = land("a", zdata)
check(err == errno.ENOENT, "(a) the writer's rename gave errno %r, not "
      "ENOENT" % err)
check(vanished is not None and vanished < len(zdata),
      "(a) the .incomplete name was there until the end (%r of %d)" %
      (vanished, len(zdata)))
print("(a) pytorch zip of %d bytes: quarantined after %d bytes written "
      "(%.1f%%); rename: ENOENT" % (len(zdata), vanished,
                                    100.0 * vanished / len(zdata)))
agent.wait_for(r"caught while landing path=\"[^\"]*\.incomplete\"")

# ---- (b) a malicious raw pickle -------------------------------------------
pdata = raw_pickle_with_payload(24 * MB)
vanished, err, _ = land("b", pdata)
check(err == errno.ENOENT, "(b) the writer's rename gave errno %r, not "
      "ENOENT" % err)
check(vanished is not None and vanished < len(pdata),
      "(b) the .incomplete name was there until the end (%r of %d)" %
      (vanished, len(pdata)))
print("(b) raw pickle of %d bytes: quarantined after %d bytes written "
      "(%.1f%%); rename: ENOENT" % (len(pdata), vanished,
                                    100.0 * vanished / len(pdata)))
wait_until(lambda: quarantined_count() >= 2, 10, "two quarantine records")
for r in home.entries():
    check(r.get("verdict") == "malicious", "record verdict %r" %
          r.get("verdict"))
    check(r.get("original_path", "").endswith(".incomplete"),
          "record path %r" % r.get("original_path"))

# ---- (d) a loader that opens the snapshot path at once ----------------------
ddata = raw_pickle_with_payload(20 * MB)
_, err, got = land("d", ddata, link_as="pytorch_model.bin",
                   open_at_once=True)
check(got is not None and PAYLOAD not in got,
      "(d) the loader read the payload through the snapshot link")
print("(d) loader at once after the landing: rename errno %s, read %d "
      "bytes, payload not among them" % (errno.errorcode.get(err, err),
                                         len(got)))

# ---- (e) the snapshot link appears after the blob's quarantine -------------
# The blob is quarantined at its rename (tombstone left, a short line that
# can name only the blob); the link made afterwards gets the line that
# names the file (watch_hfname.c), in decide_log_short's format.
evil = evil_pickle()
esha = hashlib.sha256(evil + b"e").hexdigest()
eblob = os.path.join(repo, "blobs", esha)
with open(eblob + ".incomplete", "wb") as f:
    f.write(evil)
os.rename(eblob + ".incomplete", eblob)


def tombstoned(p):
    try:
        with open(p, "rb") as f:
            return f.read(28) == b"# picklewarden tombstone v1\n"
    except OSError:
        return False


wait_until(lambda: tombstoned(eblob), 20, "(e) the blob's tombstone")
agent.wait_for(r"quarantined %s from models--org--name: " % esha)
mark = len(agent.log())
os.symlink("../../blobs/" + esha, os.path.join(repo, "snapshots", rev,
                                               "late_model.bin"))
agent.wait_for(r"quarantined late_model\.bin from models--org--name@0123456:"
               r" posix\.system via GLOBAL \(id [0-9A-Za-z-]+\)",
               timeout=10, after=mark)
check(len(re.findall(r"quarantined late_model\.bin from", agent.log())) == 1,
      "(e) the file was named more than once")
# A tombstone anyone could write (an ID our store does not hold) names
# nothing: no line, however long we wait for the timers' re-checks.
fsha = "f" * 64
with open(os.path.join(repo, "blobs", fsha), "w") as f:
    f.write("# picklewarden tombstone v1\n# file: x\n"
            "# verdict: malicious - forged.reason via GLOBAL\n"
            "# id: 20261203T000000Z-000000000000-00000000\n")
mark = len(agent.log())
os.symlink("../../blobs/" + fsha, os.path.join(repo, "snapshots", rev,
                                               "forged.bin"))
time.sleep(1.5)
check("forged" not in agent.log()[mark:],
      "(e) a forged tombstone made the agent log: %r" % agent.log()[mark:])
print("(e) a link made after the quarantine: named in one short line; a "
      "forged tombstone names nothing")

# ---- (c) a benign 200 MB download: untouched, read at most twice -----------
def benign_download(label, data):
    pids = agent_pids()
    check(len(pids) >= 2, "no scan worker found under the agent: %r" % pids)
    mark = len(agent.log())
    before = rchar(pids)
    sha = hashlib.sha256(data + label.encode()).hexdigest()
    vanished, err, _ = land(label, data, rate=5 * RATE,
                            link_as="model-%s.bin" % label)
    check(vanished is None and err == 0, "(%s) the benign download was "
          "disturbed: vanished at %r, rename errno %r" % (label, vanished,
                                                          err))
    blob = os.path.join(repo, "blobs", sha)
    # Its full scan at the rename: a debug line per scan says it is done.
    bst = os.stat(blob)
    m = agent.wait_for(r"scanned inode=%d:%d verdict=(\w+) bytes_read=(\d+)"
                       % (bst.st_dev, bst.st_ino), timeout=30, after=mark)
    check(m.group(1) in ("clean", "suspicious"),
          "(%s) verdict %s" % (label, m.group(1)))
    after = rchar(pids)
    check(agent_pids() == pids, "a scan worker was replaced during (%s): "
          "its reads are lost, the measure would be low" % label)
    ratio = (after - before) / float(len(data))
    looks = re.findall(r"landing look path=\"[^\"]*%s\.incomplete\" "
                       r"prefix=(\d+) bytes_read=(\d+)" % sha,
                       agent.log()[mark:])
    print("(%s) benign %s of %d bytes: agent+workers read %d bytes (rchar), "
          "%.3f x the file; %d prefix looks asked %d bytes, their scans "
          "read %d; the full scan read %s" %
          (label, "zip" if data[:2] == b"PK" else "pickle", len(data),
           after - before, ratio, len(looks),
           sum(int(p) for p, _ in looks), sum(int(b) for _, b in looks),
           m.group(2)))
    check(ratio <= 2.0, "(%s) read %.2f x the file" % (label, ratio))
    check(len(looks) >= 5, "(%s) only %d prefix looks" % (label, len(looks)))
    check(os.path.isfile(blob) and os.path.getsize(blob) == len(data),
          "(%s) the benign blob is not intact" % label)
    check(not any(r.get("original_path", "").find(sha) >= 0
                  for r in home.entries()),
          "(%s) the benign blob was quarantined" % label)


state = pickle.dumps({"layer%d.weight" % i: ("storage", i) for i in range(50)},
                     protocol=2)
benign_download("c", torch_like_zip(state, 50, 4 * MB))
block = os.urandom(MB)
body = bytearray(b"\x80\x04](")
while len(body) < 200 * MB:
    body += b"B" + len(block).to_bytes(4, "little") + block
body += b"e."
benign_download("c2", bytes(body))
del body
check(agent.proc.poll() is None, "the agent died")
print("ok")
