"""End-to-end cases for `picklewarden verify`.

Test vectors are made here, by tests/signing/sign.py (which follows the
reference signer), in a fresh temporary directory: an ECDSA P-256, P-384 and
P-521 key, and a small CA (root, intermediate, leaves).  Every case checks
the exit status (0 verified, 1 not verified, 2 could not check) and the
reason `verify --json` gives.
"""
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SIGN = os.path.join(HERE, "sign.py")
PW = os.environ.get("PICKLEWARDEN", "picklewarden")
PY = os.environ.get("PYTHON3", sys.executable)
# Sanitizer reports must not pass for "not verified" (exit 1).
ENV = dict(os.environ, ASAN_OPTIONS="exitcode=86:detect_leaks=1",
           UBSAN_OPTIONS="halt_on_error=1:exitcode=86:print_stacktrace=1")

fails = 0


def check(name, ok, extra=""):
    global fails
    if ok:
        print(f"ok: {name}")
    else:
        fails += 1
        print(f"FAIL: {name} {extra}")


def sign(*args):
    subprocess.run([PY, SIGN, "sign", *args], check=True)


def verify(*args):
    p = subprocess.run([PW, "verify", "--no-config", "--json", *args],
                       capture_output=True, env=ENV, timeout=120)
    try:
        out = json.loads(p.stdout) if p.stdout else {}
    except ValueError:
        out = {"unparsable": p.stdout.decode(errors="replace")}
    return p.returncode, out, p.stderr.decode(errors="replace")


def expect(name, args, rc, reason=None, **fields):
    got, out, err = verify(*args)
    ok = got == rc and (reason is None or out.get("reason") == reason)
    for k, v in fields.items():
        ok = ok and out.get(k) == v
    check(name, ok, f"(exit {got}, expected {rc}; {out}; {err.strip()})")
    return out


def make_model(d):
    os.makedirs(os.path.join(d, "sub"))
    os.makedirs(os.path.join(d, ".git"))
    with open(os.path.join(d, "model.pkl"), "wb") as f:
        f.write(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94.")
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write('{"hidden": 8}\n')
    with open(os.path.join(d, "sub", "weights.bin"), "wb") as f:
        f.write(bytes(range(256)) * 40)
    with open(os.path.join(d, ".git", "HEAD"), "w") as f:
        f.write("ref: refs/heads/main\n")   # ignored, as the reference does
    with open(os.path.join(d, ".gitattributes"), "w") as f:
        f.write("*.bin filter=lfs\n")


def main():
    t = tempfile.mkdtemp(prefix="pw-verify-")
    try:
        run(t)
    finally:
        shutil.rmtree(t, ignore_errors=True)
    print(f"{fails} failure(s)")
    return 1 if fails else 0


def run(t):
    k = os.path.join(t, "pki")
    subprocess.run([PY, SIGN, "pki", k], check=True)
    key = lambda n: os.path.join(k, n)  # noqa: E731
    m = os.path.join(t, "model")
    make_model(m)
    sig = os.path.join(m, "model.sig")

    # ---- good signatures, every form -----------------------------------
    for curve in ("p256", "p384", "p521"):
        sign("--key", key(f"{curve}.pem"), m)
        expect(f"{curve} key, v1.0 files", ["--key", key(f"{curve}.pub"), m],
               0, "none", mode="key", predicate="v1.0", files=3)
    sign("--key", key("p384.pem"), "--compat", m)
    expect("p384 key, v0.1 compat predicate and PAE",
           ["--key", key("p384.pub"), m], 0, predicate="v0.1")
    sign("--key", key("p256.pem"), "--shard-size", "1000", m)
    out = expect("p256 key, shards", ["--key", key("p256.pub"), m], 0,
                 method="shards")
    sign("--key", key("p256.pem"), "--no-hint", m)
    expect("bundle without key hint (pre-v1.0)",
           ["--key", key("other.pub"), "--key", key("p256.pub"), m], 0)
    expect("bundle without key hint, wrong key",
           ["--key", key("other.pub"), m], 1, "untrusted-key")
    sign("--key", key("leaf.pem"), "--cert", key("leaf.crt"), "--chain",
         key("inter.crt"), m)
    out = expect("certificate chain to our root",
                 ["--certificate-chain", key("root.crt"), m], 0,
                 mode="certificate")
    check("signer names the leaf", "pw signer" in out.get("signer", ""))
    sign("--key", key("leaf384.pem"), "--cert", key("leaf384.crt"),
         "--chain", key("inter.crt"), "--compat", m)
    expect("P-384 certificate, v0.1 compat (SHA-256 signature)",
           ["--certificate-chain", key("root.crt"), m], 0)
    single = os.path.join(t, "single.pkl")
    shutil.copy(os.path.join(m, "model.pkl"), single)
    sign("--key", key("p256.pem"), "--signature",
         os.path.join(t, "single.sig"), single)
    expect("single-file model", ["--key", key("p256.pub"), "--signature",
                                 os.path.join(t, "single.sig"), single], 0)
    sign("--key", key("p256.pem"), "--ignore", os.path.join(m, "sub"), m)
    with open(os.path.join(m, "sub", "new.bin"), "w") as f:
        f.write("not signed, but under an ignored path")
    expect("ignore_paths from the signature are honoured",
           ["--key", key("p256.pub"), m], 0)
    os.unlink(os.path.join(m, "sub", "new.bin"))

    # ---- the model changed ---------------------------------------------
    sign("--key", key("p256.pem"), m)
    good = open(sig, "rb").read()
    w = os.path.join(m, "sub", "weights.bin")
    data = open(w, "rb").read()
    open(w, "wb").write(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    out = expect("one changed byte", ["--key", key("p256.pub"), m], 1,
                 "mismatch")
    check("the changed file is named", out.get("mismatch") ==
          ["sub/weights.bin"], str(out.get("mismatch")))
    open(w, "wb").write(data)
    open(os.path.join(m, "extra.pkl"), "wb").write(b"N.")
    out = expect("an extra file", ["--key", key("p256.pub"), m], 1,
                 "mismatch")
    check("the extra file is named", out.get("extra") == ["extra.pkl"])
    os.unlink(os.path.join(m, "extra.pkl"))
    os.rename(os.path.join(m, "config.json"), os.path.join(t, "c.json"))
    out = expect("a missing file", ["--key", key("p256.pub"), m], 1,
                 "mismatch")
    check("the missing file is named", out.get("missing") == ["config.json"])
    os.rename(os.path.join(t, "c.json"), os.path.join(m, "config.json"))
    os.symlink("model.pkl", os.path.join(m, "link.pkl"))
    expect("a symlink in the model", ["--key", key("p256.pub"), m], 1,
           "bad-model-entry")
    os.unlink(os.path.join(m, "link.pkl"))
    expect("restored model verifies again", ["--key", key("p256.pub"), m], 0)
    sign("--key", key("p256.pem"), "--shard-size", "1000", m)
    open(w, "wb").write(data[:5000] + b"!" + data[5001:])
    out = expect("shards: a changed byte names its shard",
                 ["--key", key("p256.pub"), m], 1, "mismatch")
    check("shard name", out.get("mismatch") == ["sub/weights.bin:5000:6000"],
          str(out.get("mismatch")))
    open(w, "wb").write(data)

    # ---- the signature is wrong ----------------------------------------
    open(sig, "wb").write(good)
    expect("signed by another key", ["--key", key("other.pub"), m], 1,
           "untrusted-key")
    b = json.loads(good)
    s = bytearray(base64.b64decode(b["dsseEnvelope"]["signatures"][0]["sig"]))
    s[-1] ^= 1
    b["dsseEnvelope"]["signatures"][0]["sig"] = base64.b64encode(s).decode()
    open(sig, "w").write(json.dumps(b))
    expect("a corrupted signature", ["--key", key("p256.pub"), m], 1,
           "bad-signature")
    b = json.loads(good)
    st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
    st["predicate"]["resources"][0]["digest"] = "00" * 32
    b["dsseEnvelope"]["payload"] = base64.b64encode(
        json.dumps(st).encode()).decode()
    open(sig, "w").write(json.dumps(b))
    expect("a payload changed after signing", ["--key", key("p256.pub"), m],
           1, "bad-signature")
    expect("no trusted key given", [m], 2, "no-trust")
    open(sig, "wb").write(good[: len(good) // 2])
    expect("a truncated bundle", ["--key", key("p256.pub"), m], 1,
           "malformed")
    open(sig, "wb").write(good + b"x")
    expect("trailing garbage", ["--key", key("p256.pub"), m], 1, "malformed")
    open(sig, "wb").write(b'{"mediaType": "a", "mediaType": "b"}')
    expect("a duplicate key", ["--key", key("p256.pub"), m], 1, "malformed")
    open(sig, "wb").write(good.replace(b'"mediaType"', b'"mediaType\xff"'))
    expect("invalid UTF-8", ["--key", key("p256.pub"), m], 1, "malformed")
    os.unlink(sig)
    os.mkfifo(sig)
    expect("a FIFO as signature does not hang", ["--key", key("p256.pub"),
                                                 m], 2, "unreadable")
    os.unlink(sig)
    expect("no signature file", ["--key", key("p256.pub"), m], 1,
           "no-signature")

    # ---- certificates ---------------------------------------------------
    sign("--key", key("leaf.pem"), "--cert", key("leaf.crt"), m)
    expect("chain without the intermediate",
           ["--certificate-chain", key("root.crt"), m], 1,
           "certificate-chain")
    sign("--key", key("other.pem"), "--cert", key("selfsigned.crt"), m)
    expect("a certificate from another CA",
           ["--certificate-chain", key("root.crt"), m], 1,
           "certificate-chain")
    sign("--key", key("oldleaf.pem"), "--cert", key("oldleaf.crt"),
         "--chain", key("old.crt"), m)
    out = expect("an expired certificate in the chain",
                 ["--certificate-chain", key("root.crt"), m], 1,
                 "certificate-chain")
    check("expiry is the reason", "expired" in out.get("detail", ""),
          out.get("detail"))
    sign("--key", key("leaf.pem"), "--cert", key("expiredleaf.crt"),
         "--chain", key("inter.crt"), m)
    expect("a leaf that expired after signing (checked at its notBefore)",
           ["--certificate-chain", key("root.crt"), m], 0)
    sign("--key", key("leaf.pem"), "--cert", key("wrongusage.crt"),
         "--chain", key("inter.crt"), m)
    expect("a certificate without signing usage",
           ["--certificate-chain", key("root.crt"), m], 1,
           "certificate-usage")
    expect("a certificate bundle and only keys",
           ["--key", key("p256.pub"), m], 1, "certificate-chain")

    # ---- formats we recognise but do not check --------------------------
    b = json.loads(good)
    b["verificationMaterial"] = {"certificate": {"rawBytes": "AAAA"},
                                 "tlogEntries": []}
    open(sig, "w").write(json.dumps(b))
    expect("a keyless Sigstore bundle", ["--key", key("p256.pub"), m], 2,
           "keyless")
    sign("--key", key("p256.pem"), "--hash-type", "blake2b", m)
    expect("an unsupported hash type", ["--key", key("p256.pub"), m], 2,
           "unsupported")

    # ---- mutations: never verified unless the meaning is unchanged ------
    sign("--key", key("p256.pem"), m)
    good = open(sig, "rb").read()
    meaning = semantic(good)
    rnd = random.Random(17)
    bad = 0
    cases = [good[:n] for n in range(0, len(good), max(1, len(good) // 40))]
    for _ in range(150):
        mut = bytearray(good)
        i = rnd.randrange(len(mut))
        mut[i] = rnd.choice([0, 0x22, 0x5c, 0x7b, 0x41, 0xff, mut[i] ^ 1])
        cases.append(bytes(mut))
    for c in cases:
        open(sig, "wb").write(c)
        rc, out, err = verify("--key", key("p256.pub"), m)
        allowed = {0, 1, 2} if semantic(c) == meaning else {1, 2}
        if rc not in allowed:
            bad += 1
            print(f"  mutation: exit {rc} {err.strip()[:300]}")
    check(f"{len(cases)} truncations and mutations of a bundle", bad == 0)


def semantic(raw):
    """What a bundle means, as Python reads it; None when unreadable."""
    def no_dups(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise ValueError("dup")
            d[k] = v
        return d
    try:
        b = json.loads(raw.decode("utf-8"), object_pairs_hook=no_dups)
        env = b["dsseEnvelope"]
        return (b["mediaType"], json.dumps(b["verificationMaterial"],
                                           sort_keys=True),
                base64.b64decode(env["payload"], validate=True),
                env["payloadType"],
                base64.b64decode(env["signatures"][0]["sig"], validate=True))
    except Exception:
        return None


if __name__ == "__main__":
    sys.exit(main())
