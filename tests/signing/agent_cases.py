"""[signing] in the agent: `scan --quarantine` and `watch`.

enforce quarantines an unsigned pickle and keeps a signed one; warn only
logs; a tampered file is quarantined as malicious; a signed malicious file
is still quarantined, and the record says who signed it; a pickle that
lands before its model.sig is quarantined, then released when the
signature arrives.  Vectors come from tests/signing/sign.py.
"""
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "watch"))
from watchlib import (BENIGN, PICKLEWARDEN, Agent, Home, check,  # noqa
                      malicious, wait_until, write)

PY = os.environ.get("PYTHON3", sys.executable)
SIGN = os.path.join(HERE, "sign.py")


def sign(key, model, signature=None):
    args = [PY, SIGN, "sign", "--key", key]
    if signature:
        args += ["--signature", signature]
    subprocess.run(args + [model], check=True)


h = Home(create_roots=False)
pki = os.path.join(h.base, "pki")
subprocess.run([PY, SIGN, "pki", pki], check=True)
key = os.path.join(pki, "p256.pem")
enf = os.path.join(h.base, "enforce")
warn = os.path.join(h.base, "warn")
conf = os.path.join(h.base, "pw.ini")
with open(conf, "w") as f:
    f.write("[watch]\nroots = %s, %s\n[quarantine]\ndirectory = %s\n"
            "[actions]\nsuspicious = quarantine\n"
            "[signing]\nkeys = %s\nrequire_signature = enforce:%s, "
            "warn:%s\n" % (enf, warn, h.quarantine,
                           os.path.join(pki, "p256.pub"), enf, warn))

# ---- scan --quarantine ---------------------------------------------------
signed = os.path.join(enf, "signed")
write(os.path.join(signed, "a.pkl"), BENIGN)
write(os.path.join(signed, "config.json"), b'{"x": 1}\n')
sign(key, signed)
unsigned = os.path.join(enf, "unsigned", "b.pkl")
write(unsigned, BENIGN)
write(os.path.join(enf, "unsigned", "notes.txt"), b"not a pickle\n")
# A relative PATH: require_signature paths are absolute, and the walk up to
# model.sig must not stop at the working directory.
p = subprocess.run([PICKLEWARDEN, "scan", "--config", conf, "--quarantine",
                    "enforce"], capture_output=True, env=h.env(),
                   cwd=h.base)
recs = h.records()
check(unsigned in recs and not os.path.exists(unsigned),
      "scan --quarantine: unsigned pickle in an enforce root not taken: %r"
      % p.stderr)
check("unsigned (require_signature=enforce)" in
      recs.get(unsigned, {}).get("signature", ""),
      "record does not say unsigned: %r" % recs.get(unsigned))
check(os.path.exists(os.path.join(signed, "a.pkl")),
      "scan --quarantine: signed pickle was taken")
check(os.path.exists(os.path.join(enf, "unsigned", "notes.txt")),
      "scan --quarantine: a non-pickle was taken")
print("ok: scan --quarantine enforces signatures")

# ---- watch ---------------------------------------------------------------
tampered = os.path.join(enf, "tampered", "t.pkl")
write(tampered, BENIGN)
sign(key, os.path.dirname(tampered))
with open(tampered, "ab") as f:
    f.write(b"\n")
evil = os.path.join(enf, "signedevil", "evil.pkl")
write(evil, malicious(3))
sign(key, os.path.dirname(evil))
# A suspicious pickle (a class outside the allowlist) signed by a trusted
# key is trusted although suspicious = quarantine; unsigned, it is taken.
SUSPICIOUS = b"cmylab.models\nNet\n)\x81."
sus_signed = os.path.join(enf, "custom", "net.pkl")
write(sus_signed, SUSPICIOUS)
sign(key, os.path.dirname(sus_signed))
sus_unsigned = os.path.join(warn, "net.pkl")
write(sus_unsigned, SUSPICIOUS)
wfile = os.path.join(warn, "u.pkl")
write(wfile, BENIGN)

agent = Agent(h, args=["--config", conf]).start()
agent.wait_ready()
wait_until(lambda: tampered in h.records() and evil in h.records(), 30,
           "tampered and signed malicious files quarantined")
recs = h.records()
check(recs[tampered].get("signature", "").startswith("tampered: digest "
                                                     "differs"),
      "tampered record: %r" % recs[tampered].get("signature"))
check(recs[evil].get("signature", "").startswith("signed-but-malicious")
      and "signed by key sha256:" in recs[evil]["signature"],
      "signed malicious record: %r" % recs[evil].get("signature"))
agent.wait_for(r'signature="unsigned \(require_signature=warn\)[^\n]*u\.pkl'
               r'|path="%s"[^\n]*signature="unsigned \(require_signature='
               r'warn\)' % wfile.replace(".", r"\."))
check(os.path.exists(wfile) and wfile not in h.records(),
      "warn took the file")
check(os.path.exists(os.path.join(signed, "a.pkl")),
      "watch: signed pickle was taken")
agent.wait_for(r'action=trusted verdict=suspicious path="%s"[^\n]*'
               r'signature="signed: listed in' % sus_signed.replace(".", r"\."))
wait_until(lambda: sus_unsigned in h.records(), 30,
           "unsigned suspicious pickle quarantined by its action")
check(os.path.exists(sus_signed) and sus_signed not in h.records(),
      "signed suspicious pickle was taken")
print("ok: watch: tampered, signed-but-malicious, signed suspicious "
      "trusted, warn")

# A pickle that lands before its signature: quarantined, then released.
late_dir = os.path.join(enf, "late")
late = os.path.join(late_dir, "late.pkl")
publisher = os.path.join(h.outside, "late")
write(os.path.join(publisher, "late.pkl"), BENIGN + b" ")
sig_tmp = os.path.join(h.outside, "late.sig")
sign(key, publisher, signature=sig_tmp)
write(late, BENIGN + b" ")
wait_until(lambda: late in h.records() and not os.path.exists(late), 30,
           "unsigned late pickle quarantined")
shutil.copy(sig_tmp, os.path.join(late_dir, "model.sig"))
agent.wait_for(r"released path=\"%s\"" % late.replace(".", r"\."))
wait_until(lambda: os.path.exists(late), 30, "late pickle restored")
time.sleep(1.0)
check(os.path.exists(late) and late not in h.records(),
      "the released pickle was taken again")
print("ok: a late signature releases what it signs")
check(agent.stop() == 0, "agent did not stop cleanly")
print("ok")
