#!/usr/bin/python3
"""Verdicts of picklewarden over the generated real-world set, by library.

usage: summary.py [--markdown] [--check] [--causes] SETDIR SCAN.json

SETDIR holds manifest.tsv (and skipped.tsv) written by gen.py; SCAN.json is
the output of `picklewarden scan --json --all SETDIR`.  Prints one row per
library and label (clean / suspicious / error / malicious counts); with
--markdown as a Markdown table for the README; with --causes, every file
that is not clean and the findings that made it so.  --check enforces what
the set is for and exits 1 when it fails:

  plain and unusual files: 0 malicious, 0 error
  plain files: at most 1 % suspicious
  code files: every one malicious
"""
import collections
import json
import os
import sys

VERDICTS = ("clean", "suspicious", "error", "malicious")


def load(setdir, scan_json):
    manifest = {}
    with open(os.path.join(setdir, "manifest.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rel, lib, label, what, pending = (
                line.rstrip("\n").split("\t") + [""])[:5]
            manifest[os.path.normpath(os.path.join(setdir, rel))] = (
                rel, lib, label, what, pending)
    with open(scan_json) as f:
        scan = json.load(f)
    results = {}
    for entry in scan["files"]:
        results[os.path.normpath(entry["path"])] = entry
    skipped = []
    sk = os.path.join(setdir, "skipped.tsv")
    if os.path.exists(sk):
        with open(sk) as f:
            skipped = [line.rstrip("\n").split("\t", 1) for line in f
                       if line.strip()]
    return manifest, results, skipped


def why(entry):
    """The findings that decided a verdict, worst first, one line each."""
    want = entry.get("verdict")
    out = []
    for fd in entry.get("findings", []):
        if fd.get("severity") != want:
            continue
        out.append("%s %s: %s" % (fd.get("kind", "?"), fd.get("global") or
                                  fd.get("opcode") or "", fd.get("reason")))
    if entry.get("error"):
        out.append("error: %s" % entry["error"])
    return out


def cause_names(entry):
    """Short names of what made a file not clean (package.module of each
    deciding global, or the kind of finding)."""
    out = set()
    for fd in entry.get("findings", []):
        if fd.get("severity") != entry.get("verdict"):
            continue
        g = fd.get("global")
        if g and fd.get("kind") in ("import", "call"):
            parts = g.split(".")
            out.add(".".join(parts[:2]) if parts[0] != "__main__"
                    else "__main__ (user classes)")
        elif fd.get("kind") == "differential":
            out.add("readers disagree on a text file's first line")
        else:
            out.add(fd.get("kind") or "?")
    return out


def table(manifest, results):
    rows = collections.OrderedDict()
    for key in sorted(manifest, key=lambda k: (manifest[k][1],
                                               manifest[k][2])):
        rel, lib, label, _, _ = manifest[key]
        entry = results.get(key)
        verdict = entry.get("verdict", "error") if entry else "missing"
        row = rows.setdefault((lib, label), collections.Counter())
        row[verdict] += 1
        if entry and verdict != "clean":
            for c in cause_names(entry):
                row["cause:" + c] += 1
    return rows


def causes_text(c):
    top = sorted(((n, k[6:]) for k, n in c.items()
                  if k.startswith("cause:")), key=lambda x: (-x[0], x[1]))
    text = ", ".join("%s (%d)" % (k, n) for n, k in top[:3])
    if len(top) > 3:
        text += ", ..."
    return text


def print_table(rows, markdown):
    head = ("library", "label", "files") + VERDICTS
    if markdown:
        head += ("not clean because of (files)",)
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    else:
        print("%-14s %-8s %6s %6s %10s %6s %9s" % head)
    total = collections.Counter()
    for (lib, label), c in rows.items():
        n = sum(v for k, v in c.items() if not k.startswith("cause:"))
        vals = [c[v] for v in VERDICTS]
        total.update({label: n})
        if markdown:
            print("| %s | %s | %d | %s | %s |" % (lib, label, n, " | ".join(
                str(v) for v in vals), causes_text(c)))
        else:
            print("%-14s %-8s %6d %6d %10d %6d %9d" % ((lib, label, n) +
                                                     tuple(vals)))
        if c["missing"]:
            print("  (%d files missing from the scan)" % c["missing"])


def by_label(rows):
    agg = collections.defaultdict(collections.Counter)
    for (lib, label), c in rows.items():
        agg[label].update({k: v for k, v in c.items()
                           if not k.startswith("cause:")})
    return agg


def main(argv):
    flags = {a for a in argv if a.startswith("--")}
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    manifest, results, skipped = load(*args)
    rows = table(manifest, results)
    print_table(rows, "--markdown" in flags)
    agg = by_label(rows)
    print()
    for label in ("plain", "unusual", "code"):
        c = agg.get(label, collections.Counter())
        print("%s: %d files: %s" % (label, sum(c.values()), ", ".join(
            "%d %s" % (c[v], v) for v in VERDICTS)))
    for lib, reason in skipped:
        print("skipped: %s (%s)" % (lib, reason))
    if "--causes" in flags:
        print()
        for key in sorted(manifest):
            rel, lib, label, what, _ = manifest[key]
            entry = results.get(key, {})
            if entry.get("verdict") in (None, "clean"):
                continue
            print("%s [%s, %s] %s" % (rel, label, entry.get("verdict"),
                                      what))
            for line in why(entry)[:6]:
                print("    " + line)
    if "--check" not in flags:
        return 0
    bad = []
    for key, (rel, lib, label, what, pending) in sorted(manifest.items()):
        entry = results.get(key)
        verdict = entry.get("verdict") if entry else "missing"
        wrong = None
        if label in ("plain", "unusual") and verdict in ("malicious", "error",
                                                         "missing"):
            wrong = "%s (%s): %s: %s" % (rel, label, verdict,
                                         "; ".join(why(entry or {})[:3]))
        if label == "code" and verdict != "malicious":
            wrong = "%s (code): %s, expected malicious" % (rel, verdict)
        if pending and wrong:
            print("PENDING: %s -- %s" % (wrong, pending))
        elif pending:
            print("note: %s (%s) is %s now: drop it from PENDING in gen.py"
                  % (rel, label, verdict))
        elif wrong:
            bad.append(wrong)
    plain = agg.get("plain", collections.Counter())
    n = sum(plain.values())
    if n and plain["suspicious"] * 100 > n:
        bad.append("%d of %d plain files suspicious (more than 1 %%)" % (
            plain["suspicious"], n))
    if not manifest:
        bad.append("the set is empty")
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
