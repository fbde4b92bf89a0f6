"""desk.py - the workstation agent people keep running (issue 15), end to
end with the real binary and real inotify:

  - one agent per user: a second one names the holder's pid and exits 2;
  - `picklewarden status` answers over the owner-only socket; SIGUSR1
    logs the status and does not kill the agent;
  - a malicious blob landing in a Hugging Face cache (.incomplete, rename,
    snapshot symlink) is quarantined, logged in one short line that names
    the repository, revision and file, and replaced by a tombstone that
    our scanner calls clean and that pickle.load refuses at once;
  - the on_quarantine hook gets the details in PICKLEWARDEN_* variables,
    escaped (a hostile file name cannot add lines or run anything), and
    notify-send is run for the desktop;
  - the same content quarantined twice is stored once, with both events;
  - restore (by an ID prefix) replaces the tombstone with the file;
  - `scan` follows a snapshot symlink to its blob (exit 1 when malicious),
    never a link out of the cache, exits 2 when everything was skipped,
    and reads `-`.
Nothing here unpickles anything that could run code: pickle.load is
only pointed at the tombstone, which holds no pickle opcode.
"""
import hashlib
import os
import pickle
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (PICKLEWARDEN, Agent, BENIGN, Home, check, fail,  # noqa
                      malicious, wait_until, write)

home = Home()
hookdir = os.path.join(home.base, "hook")
bindir = os.path.join(home.base, "bin")
os.makedirs(hookdir)
os.makedirs(bindir)
hook = os.path.join(home.base, "hook.sh")
with open(hook, "w") as f:
    # Written whole, then renamed: the test never reads half a file.
    f.write("#!/bin/sh\nenv > \"%s/$$.tmp\" && mv \"%s/$$.tmp\" \"%s/$$.env\"\n"
            % (hookdir, hookdir, hookdir))
# A stand-in for notify-send: records its arguments (one per line).
notify = os.path.join(bindir, "notify-send")
with open(notify, "w") as f:
    f.write("#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done >> \"%s/notify.txt\"\n"
            % home.base)
os.chmod(notify, 0o755)
cfg = os.path.join(home.base, "pw.ini")
with open(cfg, "w") as f:
    f.write("[agent]\non_quarantine = /bin/sh %s\ndesktop_notify = yes\n"
            "[quarantine]\ntombstone = yes\n" % hook)
extra = {"PATH": bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
         "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent-test-bus"}


def pw(*args, stdin=None, input=None):
    return subprocess.run([PICKLEWARDEN] + list(args), input=input,
                          stdin=stdin, capture_output=True,
                          env=home.env(extra), timeout=60)


agent = Agent(home, ["--config", cfg], env=extra).start()
agent.wait_ready()

# ---- one agent per user ------------------------------------------------
second = pw("watch", "--config", cfg)
check(second.returncode == 2, "second agent exited %d, not 2" %
      second.returncode)
check(("another agent (pid %d)" % agent.pid).encode() in second.stderr,
      "second agent does not name the holder: %r" % second.stderr)
check(agent.proc.poll() is None, "the first agent died")

# ---- status, SIGUSR1 -----------------------------------------------------
st = pw("status", "--config", cfg)
check(st.returncode == 0, "status exited %d: %r" % (st.returncode, st.stderr))
check(b"directories watched:" in st.stdout and home.hub.encode() in st.stdout,
      "status answer lacks the roots/counts: %r" % st.stdout)
sock = os.path.join(home.state, "picklewarden.sock")
check(stat.S_IMODE(os.lstat(sock).st_mode) == 0o600,
      "status socket mode %o" % stat.S_IMODE(os.lstat(sock).st_mode))
os.kill(agent.pid, 10)  # SIGUSR1
agent.wait_for(r"status: directories watched: \d+", timeout=10)
check(agent.proc.poll() is None, "SIGUSR1 killed the agent")

# ---- a malicious blob lands in an HF cache --------------------------------
repo = os.path.join(home.hub, "models--org--name")
rev = "0123456789abcdef0123456789abcdef01234567"
evil = malicious(1)
sha = hashlib.sha256(evil).hexdigest()
blob = os.path.join(repo, "blobs", sha)
link = os.path.join(repo, "snapshots", rev, "pytorch_model.bin")
write(os.path.join(repo, "refs", "main"), rev.encode())
os.makedirs(os.path.dirname(link))
# huggingface_hub's order: the blob as .incomplete, renamed, then linked.
write(blob + ".incomplete", evil)
os.rename(blob + ".incomplete", blob)
os.symlink("../../blobs/" + sha, link)
agent.wait_for(r"quarantined pytorch_model\.bin from models--org--name@0123456:"
               r" (os|posix)\.system via GLOBAL \(id [0-9A-Za-z-]+\)",
               timeout=30)


def is_tombstone(p):
    try:
        with open(p, "rb") as f:
            return f.read(28) == b"# picklewarden tombstone v1\n"
    except OSError:
        return False


wait_until(lambda: is_tombstone(blob), 10, "tombstone at the blob's name")
with open(link, "rb") as f:
    tomb = f.read()
check(b"picklewarden quarantine restore " in tomb, "tombstone: %r" % tomb)
t0 = time.monotonic()
try:
    with open(link, "rb") as f:
        pickle.load(f)
    fail("pickle.load accepted the tombstone")
except pickle.UnpicklingError as e:
    check("invalid load key" in str(e), "unexpected error %r" % e)
check(time.monotonic() - t0 < 1, "the tombstone load did not fail at once")
r = pw("scan", link)
check(r.returncode == 0 and b": clean" in r.stdout,
      "our scanner on the tombstone: %d %r" % (r.returncode, r.stdout))

# ---- the hook and the desktop notification --------------------------------
def hook_envs():
    out = []
    for n in sorted(os.listdir(hookdir)):
        if not n.endswith(".env"):
            continue
        with open(os.path.join(hookdir, n), "rb") as f:
            out.append(f.read().decode("utf-8", "replace"))
    return out


wait_until(lambda: len(hook_envs()) >= 1, 10, "the hook ran")
env1 = dict(l.split("=", 1) for l in hook_envs()[0].splitlines() if "=" in l)
for k, v in (("PICKLEWARDEN_FILE", "pytorch_model.bin"),
             ("PICKLEWARDEN_REPO", "org/name"),
             ("PICKLEWARDEN_REVISION", rev),
             ("PICKLEWARDEN_VERDICT", "malicious"),
             ("PICKLEWARDEN_SHA256", sha),
             ("PICKLEWARDEN_PATH", blob),
             ("PICKLEWARDEN_TOMBSTONE", "yes")):
    check(env1.get(k) == v, "hook %s=%r, expected %r" % (k, env1.get(k), v))
wait_until(lambda: os.path.exists(os.path.join(home.base, "notify.txt")), 10,
           "notify-send ran")
with open(os.path.join(home.base, "notify.txt")) as f:
    check("picklewarden quarantined a file" in f.read(), "notify-send args")

# A hostile name: newlines, a shell substitution, a forged variable.
sentinel = os.path.join(home.base, "PWNED")
hostile = os.path.join(home.torch, "x\nPICKLEWARDEN_ID=forged;$(touch %s)`touch %s`.pt"
                       % (sentinel, sentinel))
write(hostile, malicious(2))
wait_until(lambda: len(hook_envs()) >= 2, 15, "the hook ran for the hostile name")
text2 = [t for t in hook_envs() if "PICKLEWARDEN_PATH=" + home.torch in t][0]
check("\nPICKLEWARDEN_ID=forged" not in text2, "a file name forged a variable")
check("\\nPICKLEWARDEN_ID=forged" in text2, "the name's newline is not escaped")
check(not os.path.exists(sentinel), "a file name ran a command")

# ---- one copy per digest --------------------------------------------------
repo2 = os.path.join(home.hub, "models--org--other")
blob2 = os.path.join(repo2, "blobs", sha)
write(blob2 + ".incomplete", evil)
os.rename(blob2 + ".incomplete", blob2)
wait_until(lambda: is_tombstone(blob2), 15, "tombstone of the duplicate")
copies = [d for d in home.entries() if d.get("sha256") == sha]
check(len(copies) == 1, "%d stored copies of one digest" % len(copies))
with open(os.path.join(home.quarantine, ".events", sha)) as f:
    events = f.read().splitlines()
check(len(events) == 2, "events of the digest: %r" % events)

# ---- restore by prefix replaces the tombstone ----------------------------
check(agent.stop() == 0, "agent did not stop cleanly")
entry = copies[0]
eid = [n for n in os.listdir(home.quarantine)
       if os.path.exists(os.path.join(home.quarantine, n, "record.json")) and
       sha in open(os.path.join(home.quarantine, n, "record.json")).read()][0]
r = pw("quarantine", "--config", cfg, "restore", eid[:-3])
check(r.returncode == 0, "restore by prefix: %d %r" % (r.returncode, r.stderr))
with open(blob, "rb") as f:
    check(f.read() == evil, "restored blob differs")
r = pw("quarantine", "--config", cfg, "list")
check(r.returncode == 0 and r.stdout.startswith(b"ID "), "list header: %r" % r.stdout)

# ---- scan follows what users name ----------------------------------------
r = pw("scan", link)
check(r.returncode == 1 and b"malicious" in r.stdout,
      "scan of a snapshot symlink: %d %r" % (r.returncode, r.stdout))
check(r.stdout.splitlines()[-1].startswith(b"1 file scanned:"),
      "no summary line: %r" % r.stdout)
out_link = os.path.join(repo, "snapshots", rev, "escape.bin")
os.symlink(os.path.join(home.outside, "x.pkl"), out_link)
write(os.path.join(home.outside, "x.pkl"), evil)
r = pw("scan", os.path.join(repo, "snapshots"))
check(b"escape.bin: skipped" in r.stdout, "a link out of the cache: %r" % r.stdout)
check(r.returncode == 1, "snapshot folder scan exited %d" % r.returncode)
fifo = os.path.join(home.outside, "fifo")
os.mkfifo(fifo)
r = pw("scan", fifo)
check(r.returncode == 2, "all-skipped run exited %d" % r.returncode)
r = pw("scan", "-", input=evil)
check(r.returncode == 1 and b"-: malicious" in r.stdout, "scan -: %r" % r.stdout)
r = pw("scan", "-o", os.path.join(home.outside, "rep.txt"), "-", input=BENIGN)
with open(os.path.join(home.outside, "rep.txt"), "rb") as f:
    check(r.returncode == 0 and b"-: clean" in f.read() and r.stdout == b"",
          "-o FILE")
# ---- papercuts -------------------------------------------------------------
r = pw("help", "status")
check(r.returncode == 0 and b"Usage: picklewarden status" in r.stdout,
      "help COMMAND: %r" % r.stdout)
bad = os.path.join(home.base, "bad.ini")
with open(bad, "w") as f:
    f.write("[agent]\nworkers = 0\nstate_dir = $PW_SURELY_UNSET/x\n")
r = pw("check-config", bad)
check(r.returncode == 2 and b"agent.workers" in r.stderr and
      b"$PW_SURELY_UNSET is unset" in r.stderr,
      "check-config reports every error and names the variable: %r" % r.stderr)
# An unreadable default file is skipped with a warning, not fatal.
xdg = os.path.join(home.home, ".config", "picklewarden", "picklewarden.ini")
os.makedirs(xdg)  # a directory where the file should be: unreadable
r = pw("scan", "-", input=BENIGN)
check(r.returncode == 0 and b"warning: skipped the configuration file" in r.stderr,
      "unreadable default config: %d %r" % (r.returncode, r.stderr))
r = pw("scan", "--config", xdg, "-", input=BENIGN)
check(r.returncode == 2 and b"configuration file" in r.stderr,
      "--config FILE unreadable must be fatal: %r" % r.stderr)
print("desk: ok")
