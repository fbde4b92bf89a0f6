"""watch-latency.py - the numbers of issue 5 for `picklewarden watch`.

Latency: each file is written under a temporary Hugging Face name
(blobs/<etag>.<hex>.incomplete, not scanned), then renamed to its final
name; the clock runs from just before the rename to the moment the file
leaves the blobs directory (the quarantine's rename, seen with inotify
through ctypes, so the measuring side does not poll).  Files are PyTorch
zip checkpoints whose data.pkl is malicious, padded with a stored tensor
to the target size.  One file at a time, so each figure is a latency,
not a throughput.

Idle: utime+stime of the agent (all threads) from /proc/PID/stat over a
quiet period, with WATCHDOG_USEC as the shipped unit sets it (30 s,
so a ping every 15 s).

RSS: VmRSS after the start-up scan of a root holding 10,000 directories.

--vs-in-process ROUNDS: the latency run again, with the scan workers and
with `sandbox = no` in turns (issue 13: the sandbox must not slow a
quarantine down); per round and pooled.
"""
import argparse
import ctypes
import ctypes.util
import io
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

PICKLEWARDEN = os.environ.get("PICKLEWARDEN", "picklewarden")
MAL = (b"\x80\x02cposix\nsystem\nX\x0a\x00\x00\x00echo pwned\x85R.")

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
IN_MOVED_FROM, IN_DELETE = 0x40, 0x200


class Inotify:
    def __init__(self, path):
        self.fd = libc.inotify_init1(os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(
                self.fd, path.encode(), IN_MOVED_FROM | IN_DELETE) < 0:
            raise OSError(ctypes.get_errno(), "inotify")
        self.buf = b""

    def wait_gone(self, name, timeout):
        """Blocks until `name` leaves the directory; returns the time."""
        import select
        deadline = time.monotonic() + timeout
        while True:
            while len(self.buf) >= 16:
                wd, mask, cookie, ln = struct.unpack_from("iIII", self.buf)
                ev_name = self.buf[16:16 + ln].rstrip(b"\0").decode()
                self.buf = self.buf[16 + ln:]
                if ev_name == name:
                    return time.monotonic()
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            self.buf += os.read(self.fd, 65536)


def torch_zip(path, size):
    """A PyTorch-style zip: archive/data.pkl malicious, archive/data/0 a
    stored tensor of zeros bringing the file to about `size` bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", MAL)
        z.writestr("archive/version", b"3\n")
        pad = max(0, size - 1024)
        with z.open("archive/data/0", "w", force_zip64=pad > 2**31) as f:
            chunk = b"\0" * (1 << 20)
            while pad > 0:
                f.write(chunk[:min(pad, len(chunk))])
                pad -= min(pad, len(chunk))


def start(home, env_extra=None, wait=r"startup scan complete"):
    env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    # A configuration to compare with (e.g. [agent] sandbox = no).
    if "XDG_CONFIG_HOME" in os.environ:
        env["XDG_CONFIG_HOME"] = os.environ["XDG_CONFIG_HOME"]
    env.update(env_extra or {})
    log = open(os.path.join(home, "..", "agent.log"), "ab")
    p = subprocess.Popen([PICKLEWARDEN, "watch", "--foreground"],
                         stdout=log, stderr=log, env=env,
                         stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with open(os.path.join(home, "..", "agent.log"), "rb") as f:
            if wait.encode() in f.read():
                return p
        if p.poll() is not None:
            sys.exit("agent exited early; see %s/../agent.log" % home)
        time.sleep(0.05)
    p.kill()
    sys.exit("agent never became ready")


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q / 100.0 * (len(v) - 1))))]


def bench_latency(base, nfiles, max_mb, env_extra=None, quiet=False):
    home = os.path.join(base, "lat", "home")
    blobs = os.path.join(home, ".cache/huggingface/hub/models--b--m/blobs")
    os.makedirs(blobs)
    stage = os.path.join(base, "lat", "stage")
    os.makedirs(stage)
    p = start(home, env_extra)
    ino = Inotify(blobs)
    sizes = [1 << 10, 64 << 10, 1 << 20, 10 << 20]
    lat, by_size = [], {}
    try:
        for i in range(nfiles):
            # Every 20th file is the largest size.
            size = (max_mb << 20) if i % 20 == 19 else sizes[i % len(sizes)]
            etag = "%040x" % i
            # Written outside the watched root (on the same filesystem)
            # and moved in, as torch.hub does from its temporary file: a
            # file finished inside the root may already be quarantined
            # when it is closed, which is not what this measures.
            tmp = os.path.join(stage, etag + ".0a1b2c3d.incomplete")
            torch_zip(tmp, size)
            # Flushed first, so the kernel's writeback of the file we just
            # wrote is not charged to the agent.
            fd = os.open(tmp, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
            t0 = time.monotonic()
            os.rename(tmp, os.path.join(blobs, etag))
            t1 = ino.wait_gone(etag, 30)
            if t1 is None:
                sys.exit("file %d (%d bytes) was not quarantined in 30 s"
                         % (i, size))
            ms = (t1 - t0) * 1000.0
            lat.append(ms)
            by_size.setdefault(size, []).append(ms)
    finally:
        stop(p)
    shutil.rmtree(os.path.join(base, "lat"), ignore_errors=True)
    if quiet:
        return lat
    print("latency, final rename -> quarantined, %d files:" % len(lat))
    print("  all:      p50 %.2f ms   p99 %.2f ms   max %.2f ms" %
          (pct(lat, 50), pct(lat, 99), max(lat)))
    for size in sorted(by_size):
        v = by_size[size]
        print("  %7s:  p50 %.2f ms   p99 %.2f ms   (%d files)" %
              (human(size), pct(v, 50), pct(v, 99), len(v)))
    return lat


def bench_vs_in_process(base, nfiles, max_mb, rounds):
    """The same latency run with and without the scan workers, taking
    turns, so both meet the same disk and the same neighbours (the p99
    here is mostly the store's fsyncs, which vary by the hour)."""
    cfg = os.path.join(base, "nosandbox")
    os.makedirs(os.path.join(cfg, "picklewarden"))
    with open(os.path.join(cfg, "picklewarden", "picklewarden.ini"),
              "w") as f:
        f.write("[agent]\nsandbox = no\n")
    runs = {"sandboxed": [], "in process": []}
    for r in range(rounds):
        for mode in (("sandboxed", "in process") if r % 2 == 0 else
                     ("in process", "sandboxed")):
            env = {"XDG_CONFIG_HOME": cfg} if mode == "in process" else None
            lat = bench_latency(base, nfiles, max_mb, env, quiet=True)
            runs[mode].append(lat)
            print("  round %d, %-10s p50 %.2f ms  p99 %.2f ms" %
                  (r + 1, mode + ":", pct(lat, 50), pct(lat, 99)))
    for mode, lats in runs.items():
        allv = [x for lat in lats for x in lat]
        print("%-10s (%d files): p50 %.2f ms  p99 %.2f ms  max %.2f ms" %
              (mode, len(allv), pct(allv, 50), pct(allv, 99), max(allv)))


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return "%d %s" % (n, unit)
        n //= 1024
    return "%d TiB" % n


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime + stime


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def bench_idle(base, seconds):
    home = os.path.join(base, "idle", "home")
    os.makedirs(os.path.join(home, ".cache/huggingface/hub"))
    sock_path = os.path.join(base, "idle", "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    p = start(home, {"NOTIFY_SOCKET": sock_path,
                     "WATCHDOG_USEC": "30000000"})
    try:
        time.sleep(1.0)
        hz = os.sysconf("SC_CLK_TCK")
        c0 = cpu_ticks(p.pid)
        sock.setblocking(False)
        while True:
            try:
                sock.recv(4096)
            except BlockingIOError:
                break
        time.sleep(seconds)
        c1 = cpu_ticks(p.pid)
        msgs = []
        while True:
            try:
                msgs.append(sock.recv(4096).decode())
            except BlockingIOError:
                break
    finally:
        stop(p)
    pings = sum(1 for m in msgs if m == "WATCHDOG=1")
    print("idle: %d clock ticks (%.0f ms of CPU) in %d s; %d watchdog "
          "pings (WatchdogSec=30)" %
          (c1 - c0, (c1 - c0) * 1000.0 / hz, seconds, pings))
    shutil.rmtree(os.path.join(base, "idle"), ignore_errors=True)


def bench_rss(base, ndirs):
    home = os.path.join(base, "rss", "home")
    root = os.path.join(home, ".cache/huggingface/hub")
    per = 100
    for i in range(ndirs // per):
        for j in range(per):
            os.makedirs(os.path.join(root, "m%03d" % i, "d%03d" % j))
    p = start(home)
    try:
        time.sleep(0.5)
        rss = rss_kb(p.pid)
        with open(os.path.join(home, "..", "agent.log")) as f:
            line = [l for l in f if "startup scan complete" in l][-1]
    finally:
        stop(p)
    print("rss: %.1f MiB with %s" % (rss / 1024.0,
                                     line.split("complete: ")[1].split()[0]))
    shutil.rmtree(os.path.join(base, "rss"), ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--max-mb", type=int, default=100)
    ap.add_argument("--idle-seconds", type=int, default=30)
    ap.add_argument("--dirs", type=int, default=10000)
    ap.add_argument("--vs-in-process", type=int, metavar="ROUNDS", default=0,
                    help="also compare the latency with `sandbox = no`, "
                    "taking turns for ROUNDS rounds (issue 13)")
    a = ap.parse_args()
    base = tempfile.mkdtemp(prefix="pw-bench-")
    try:
        print("picklewarden: %s" % PICKLEWARDEN)
        bench_latency(base, a.files, a.max_mb)
        if a.vs_in_process:
            print("latency with and without the scan workers, taking turns:")
            bench_vs_in_process(base, a.files, a.max_mb, a.vs_in_process)
        bench_rss(base, a.dirs)
        bench_idle(base, a.idle_seconds)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
