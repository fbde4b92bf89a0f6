#!/usr/bin/python3
"""scan --sarif: valid SARIF 2.1.0, and the same findings as --json.

Runs the real binary on generated files (a malicious pickle, the same
inside a zip member, a suspicious one, a hostile file name, a symlink, a
missing file) and checks, against the --json report of the same scan:
one result per finding (with and without --all), ruleId = kind/severity,
level from severity, the file as a URI, the container path as the logical
location.  Then validates the log against the committed OASIS schema
(tests/sarif/sarif-schema-2.1.0.json) with python3-jsonschema; without it
the test skips (77) after the other checks.
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import zipfile

PW = os.environ["PICKLEWARDEN"]
SRC = os.environ["top_srcdir"]
LEVEL = {"malicious": "error", "error": "warning", "suspicious": "note",
         "info": "none"}

MALICIOUS = b"cos\nsystem\n(S'echo pwned'\ntR."
SUSPICIOUS = b"\x80\x02cmylab.models\nNet\nq\x00)\x81q\x01."


def run(args):
    p = subprocess.run([PW, "scan", "--no-config"] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def uri_to_path(uri):
    if uri.startswith("file://"):
        uri = uri[len("file://"):]
    # The JSON report writes a byte that is not UTF-8 as \u00HH: map the
    # URI's exact bytes the same way to compare.
    text = urllib.parse.unquote_to_bytes(uri).decode("utf-8",
                                                     "surrogateescape")
    return "".join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff
                   else c for c in text)


def check(paths, all_):
    extra = ["--all"] if all_ else []
    rc_j, out_j = run(["--json"] + extra + paths)
    rc_s, out_s = run(["--sarif"] + extra + paths)
    rc_f, out_f = run(["--format", "sarif"] + extra + paths)
    if rc_j != rc_s or rc_s != rc_f:
        fail("exit status differs: json %d sarif %d" % (rc_j, rc_s))
    if out_s != out_f:
        fail("--sarif and --format sarif differ")
    rep = json.loads(out_j)
    log = json.loads(out_s)          # must parse: hostile names included
    if log["version"] != "2.1.0" or len(log["runs"]) != 1:
        fail("not one 2.1.0 run")
    run0 = log["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    want = []
    notes = []
    for f in rep["files"]:
        if f["verdict"] == "skipped":
            notes.append(f["path"])
            continue
        for fd in f["findings"]:
            want.append((f["path"], fd["kind"] + "/" + fd["severity"],
                         LEVEL[fd["severity"]], fd["location"]))
    got = []
    for r in run0["results"]:
        loc = r["locations"][0]
        path = uri_to_path(loc["physicalLocation"]["artifactLocation"]["uri"])
        logical = loc.get("logicalLocations", [{}])[0].get(
            "fullyQualifiedName", "")
        if rules[r["ruleIndex"]]["id"] != r["ruleId"]:
            fail("ruleIndex does not point at ruleId %s" % r["ruleId"])
        if r["level"] != rules[r["ruleIndex"]]["defaultConfiguration"]["level"]:
            fail("level differs from the rule's for %s" % r["ruleId"])
        got.append((path, r["ruleId"], r["level"], logical))
    if sorted(got) != sorted(want):
        fail("results differ from the JSON findings:\n got %r\nwant %r"
             % (sorted(got), sorted(want)))
    inv = run0["invocations"][0]
    got_notes = [uri_to_path(n["locations"][0]["physicalLocation"]
                             ["artifactLocation"]["uri"])
                 for n in inv.get("toolExecutionNotifications", [])]
    if sorted(got_notes) != sorted(notes):
        fail("skip notifications %r, want %r" % (got_notes, notes))
    return log, got


def main():
    with tempfile.TemporaryDirectory() as d:
        files = []

        def put(name, data):
            p = os.path.join(d, name)
            with open(p, "wb") as fh:
                fh.write(data)
            files.append(p)
            return p

        put("evil.pkl", MALICIOUS)
        put("sus.pkl", SUSPICIOUS)
        put("clean.txt", b"hello\n")
        # A name that must survive both JSON and URI encoding.
        put(os.fsdecode(b"we:ird\nname \xff%.pkl"), MALICIOUS)
        z = os.path.join(d, "model.pt")
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("archive/data.pkl", MALICIOUS)
            zf.writestr("archive/version", b"3\n")
        files.append(z)
        link = os.path.join(d, "link.pkl")
        os.symlink("evil.pkl", link)
        files.append(link)
        files.append(os.path.join(d, "missing.pkl"))
        rel = os.path.relpath(os.path.join(d, "evil.pkl"))

        log, got = check(files + [rel], False)
        check(files, True)
        levels = {g[2] for g in got}
        for lv in ("error", "warning", "note"):
            if lv not in levels:
                fail("no result of level %s in %r" % (lv, got))
        if not any(g[3] == "archive/data.pkl" for g in got):
            fail("no logical location for the zip member: %r" % got)
        if not any(not r["locations"][0]["physicalLocation"]
                   ["artifactLocation"]["uri"].startswith("file:")
                   for r in log["runs"][0]["results"]):
            fail("a relative path did not stay a relative URI")

        try:
            import jsonschema
        except ImportError:
            print("SKIP: python3-jsonschema is not installed; the SARIF "
                  "log was not validated against the schema")
            return 77
        with open(os.path.join(SRC, "tests/sarif/sarif-schema-2.1.0.json"),
                  encoding="utf-8") as fh:
            schema = json.load(fh)
        for all_ in (False, True):
            log, _ = check(files, all_)
            jsonschema.Draft4Validator(
                schema, format_checker=jsonschema.FormatChecker()
            ).validate(log)
        print("ok: %d results, valid SARIF 2.1.0" % len(got))
        return 0


if __name__ == "__main__":
    sys.exit(main())
