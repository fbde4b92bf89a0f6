"""watchlib.py - helpers for the end-to-end tests of `picklewarden watch`.

Every test runs the real binary ($PICKLEWARDEN) with HOME pointed at a
fresh temporary directory and an environment cleared of the variables that
would move the caches, so the default roots are:
    ~/.cache/huggingface/hub   ~/.cache/torch/hub   ~/.keras/models
Every wait has a timeout; the agent is killed on any exit (atexit, and
SIGTERM/SIGINT turn into a normal exit).  Nothing here unpickles anything:
test files are written as raw bytes.
"""
import atexit
import glob
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PICKLEWARDEN = os.environ.get("PICKLEWARDEN", "picklewarden")

# GLOBAL posix/os system + REDUCE, protocol 0 (text) and 2 (binary).
MALICIOUS_P0 = b"cos\nsystem\n(S'echo pwned'\ntR."
MALICIOUS_P2 = (b"\x80\x02cposix\nsystem\nX\x0a\x00\x00\x00echo pwned"
                b"\x85R.")
BENIGN = pickle.dumps({"a": [1, 2.0, "x"]}, protocol=4)

_agents = []
_tmpdirs = []


def _cleanup():
    for a in _agents:
        a.kill()
    if os.environ.get("PW_KEEP_TMP"):
        return
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, lambda s, f: sys.exit(128 + s))


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    for a in _agents:
        a.dump_log()
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def malicious(n=0):
    """A malicious pickle; n varies the command (so every file has its
    own digest) and the protocol (0 or 2)."""
    cmd = b"echo pwned %d" % n
    if n % 2 == 0:
        return b"cos\nsystem\n(S'" + cmd + b"'\ntR."
    return (b"\x80\x02cposix\nsystem\nX" + len(cmd).to_bytes(4, "little") +
            cmd + b"\x85R.")


def write(path, data):
    """Writes data at path.  Nothing may touch path afterwards: a
    malicious file can be in quarantine before this returns."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class Home:
    """A temporary HOME with the three default roots (created or not)."""

    def __init__(self, create_roots=True):
        self.base = tempfile.mkdtemp(prefix="pw-watch-")
        _tmpdirs.append(self.base)
        self.home = os.path.join(self.base, "home")
        self.outside = os.path.join(self.base, "outside")
        os.makedirs(self.home)
        os.makedirs(self.outside)
        self.hub = os.path.join(self.home, ".cache/huggingface/hub")
        self.torch = os.path.join(self.home, ".cache/torch/hub")
        self.keras = os.path.join(self.home, ".keras/models")
        self.quarantine = os.path.join(
            self.home, ".local/share/picklewarden/quarantine")
        self.state = os.path.join(self.home, ".local/state/picklewarden")
        if create_roots:
            for d in (self.hub, self.torch, self.keras):
                os.makedirs(d)

    def entries(self):
        """The record of every quarantine entry, one per entry."""
        out = []
        for rec in glob.glob(os.path.join(self.quarantine, "*",
                                          "record.json")):
            try:
                with open(rec, "rb") as f:
                    out.append(json.loads(f.read().decode("utf-8",
                                                          "replace")))
            except (OSError, ValueError):
                continue
        return out

    def records(self):
        """original_path -> record, for every quarantine entry, and for
        every path whose quarantine the store folded into an older entry
        of the same content (its event in .events/<sha256>) -> the record
        of the entry that holds the data (so one record may appear under
        several paths: count entries with entries())."""
        out = {}
        by_sha = {}
        for r in self.entries():
            out[r.get("original_path")] = r
            by_sha[r.get("sha256")] = r
        for ev in glob.glob(os.path.join(self.quarantine, ".events", "*")):
            r = by_sha.get(os.path.basename(ev))
            if r is None:
                continue
            try:
                with open(ev, "rb") as f:
                    lines = f.read().decode("utf-8", "replace").splitlines()
            except OSError:
                continue
            for line in lines:
                try:
                    p = json.loads(line).get("path")
                except ValueError:
                    continue
                out.setdefault(p, r)
        return out

    def env(self, extra=None):
        env = {
            "HOME": self.home,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C",
        }
        # ASan/UBSan settings of the build, if any.
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        if extra:
            env.update(extra)
        return env


class Agent:
    def __init__(self, home, args=(), env=None, prefix=()):
        self.home = home
        self.prefix = list(prefix)
        self.args = list(args)
        self.extra_env = env
        self.proc = None
        self.log_path = os.path.join(home.base, "agent-%d.log" %
                                     len(_agents))
        _agents.append(self)

    def start(self):
        self.logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.prefix + [PICKLEWARDEN, "watch", "--foreground"] +
            self.args,
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=self.logf,
            env=self.home.env(self.extra_env))
        self.pos = 0
        return self

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def dump_log(self):
        sys.stderr.write("---- agent log %s ----\n%s\n----\n" %
                         (self.log_path, self.log()[-20000:]))

    def wait_for(self, pattern, timeout=30.0, after=None):
        """Waits for a log line matching pattern (after offset `after`,
        default: anywhere).  Returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            m = rx.search(text, after or 0)
            if m:
                return m
            if self.proc.poll() is not None:
                fail("agent exited (%s) while waiting for %r" %
                     (self.proc.returncode, pattern))
            time.sleep(0.02)
        fail("timed out after %.0fs waiting for %r" % (timeout, pattern))

    def wait_ready(self, timeout=60.0):
        m = self.wait_for(r"startup scan complete: .*", timeout)
        return parse_fields(m.group(0))

    def stop(self, timeout=15.0):
        """SIGTERM; returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            fail("agent did not stop within %.0fs of SIGTERM" % timeout)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGCONT)
                self.proc.kill()
                self.proc.wait(5)
            except Exception:
                pass


def parse_fields(line):
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", line)}


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    fail("timed out after %.0fs: %s" % (timeout, what))


def is_tombstone(path):
    """True for the text a quarantined Hugging Face blob leaves behind."""
    try:
        with open(path, "rb") as f:
            return f.read(28) == b"# picklewarden tombstone v1\n"
    except OSError:
        return False


def wait_quarantined(home, paths, timeout=30.0):
    """Waits until every path is gone (or holds our tombstone) and has a
    quarantine record that names it with a malicious verdict."""
    paths = list(paths)

    def done():
        recs = home.records()
        return all((not os.path.lexists(p) or is_tombstone(p)) and p in recs
                   for p in paths)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            recs = home.records()
            for p in paths:
                check(recs[p].get("verdict") == "malicious",
                      "record of %s says %r" % (p, recs[p].get("verdict")))
            return
        time.sleep(0.02)
    recs = home.records()
    missing = [p for p in paths if p not in recs]
    fail("%d of %d malicious files not quarantined, e.g. %s" %
         (len(missing), len(paths), missing[:5]))


def check_untouched(home, paths):
    recs = home.records()
    for p in paths:
        check(os.path.lexists(p), "benign file %s is gone" % p)
        check(p not in recs, "benign file %s was quarantined" % p)


# PW_MEASURE=1: print each technique's time-to-quarantine and never fail on
# a timeout (used to measure a build that predates a fix).
MEASURE = bool(os.environ.get("PW_MEASURE"))


def ttq(home, paths, timeout, label, start=None):
    """Waits until every path is quarantined; prints and returns the
    seconds it took from start (default: now), None on timeout in
    measure mode."""
    t0 = start if start is not None else time.monotonic()
    deadline = t0 + timeout
    paths = list(paths)
    while time.monotonic() < deadline:
        recs = home.records()
        if all(not os.path.lexists(p) and p in recs for p in paths):
            dt = time.monotonic() - t0
            print("TTQ %-40s %6.2fs" % (label, dt))
            sys.stdout.flush()
            return dt
        time.sleep(0.02)
    print("TTQ %-40s  never (>%.0fs)" % (label, timeout))
    sys.stdout.flush()
    if not MEASURE:
        fail("%s: not quarantined within %.0fs" % (label, timeout))
    return None


def ttlog(agent, pattern, timeout, label, start=None):
    """As ttq, for a log line (techniques inotify cannot see)."""
    t0 = start if start is not None else time.monotonic()
    rx = re.compile(pattern)
    while time.monotonic() < t0 + timeout:
        if rx.search(agent.log()):
            dt = time.monotonic() - t0
            print("TTQ %-40s %6.2fs (log)" % (label, dt))
            sys.stdout.flush()
            return dt
        time.sleep(0.02)
    print("TTQ %-40s  never (>%.0fs, log)" % (label, timeout))
    sys.stdout.flush()
    if not MEASURE:
        fail("%s: no log line %r within %.0fs" % (label, pattern, timeout))
    return None


def write_open(path, data):
    """Writes data and returns the still-open file (a writer that never
    closes)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    f = open(path, "wb")
    f.write(data)
    f.flush()
    return f


def children(pid):
    """The child processes of every thread of pid (the agent's scan
    workers are forked by whichever thread needed one)."""
    out = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out
