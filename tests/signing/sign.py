#!/usr/bin/python3
"""Test signer and PKI for picklewarden's `verify` tests.

It writes OpenSSF model-signing signatures the way the reference does
(sigstore/model-transparency, src/model_signing/), with Debian's
python3-cryptography only:
  hashing.py / _serialization/file.py, file_shard.py: walk the model path
    and everything below it, skip ignored paths (git files, the signature,
    --ignore), refuse symlinks, SHA-256 per file or per shard;
  manifest.py: resources sorted by (PurePosixPath, start, end);
  _signing/signing.py Payload: in-toto Statement v1, predicate
    https://model_signing/signature/v1.0 with "serialization" and
    "resources", one subject named after the model whose sha256 is over the
    concatenated resource digests; the v0.2 form (--compat) lists every
    file as a subject under https://model_signing/Digests/v0.1;
  _signing/sign_sigstore_pb.py: DSSE PAE (pae, or pae_compat for --compat),
    Sigstore bundle v0.3 JSON;
  _signing/sign_ec_key.py, sign_certificate.py: ECDSA with SHA-256/384/512
    by curve (SHA-256 for the compat certificate form), publicKey.hint =
    sha256(PEM SubjectPublicKeyInfo), or x509CertificateChain [leaf, chain].

Usage:
  sign.py pki OUTDIR
  sign.py sign --key KEY.pem [--cert LEAF.pem [--chain C.pem]...]
               [--shard-size N] [--ignore PATH]... [--compat] [--no-hint]
               [--signature FILE] MODEL
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PAYLOAD_TYPE = "application/vnd.in-toto+json"
BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
GIT_PATHS = [".git/", ".gitattributes", ".github/", ".gitignore"]


# ---- PKI ---------------------------------------------------------------

def _write_key(path, key):
    path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    pub = path.with_suffix(".pub")
    pub.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo))


def _cert(subject, issuer_name, key, issuer_key, nb, na, ca, ku, eku=None):
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                     subject)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                    issuer_name)]))
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                        critical=True)
         .add_extension(ku, critical=True))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return b.sign(issuer_key, hashes.SHA384() if isinstance(
        issuer_key.curve, ec.SECP384R1) else hashes.SHA256())


def _ku(sign=False, cert_sign=False, encipher=False):
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=False,
        key_encipherment=encipher, data_encipherment=False,
        key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
        encipher_only=False, decipher_only=False)


def pki(out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    keys = {}
    for name, curve in [("p256", ec.SECP256R1()), ("p384", ec.SECP384R1()),
                        ("p521", ec.SECP521R1()), ("other", ec.SECP256R1()),
                        ("root", ec.SECP384R1()), ("inter", ec.SECP256R1()),
                        ("leaf", ec.SECP256R1()), ("leaf384", ec.SECP384R1()),
                        ("old", ec.SECP256R1()), ("oldleaf", ec.SECP256R1())]:
        keys[name] = ec.generate_private_key(curve)
        _write_key(out / f"{name}.pem", keys[name])
    ca_ku = _ku(cert_sign=True)
    root = _cert("pw test root", "pw test root", keys["root"], keys["root"],
                 now - 10 * day, now + 3650 * day, True, ca_ku)
    inter = _cert("pw test intermediate", "pw test root", keys["inter"],
                  keys["root"], now - 9 * day, now + 3000 * day, True, ca_ku)
    certs = {
        "root": root, "inter": inter,
        # A code-signing leaf, as the reference's certificate mode wants.
        "leaf": _cert("pw signer", "pw test intermediate", keys["leaf"],
                      keys["inter"], now - day, now + 365 * day, False,
                      _ku(sign=True), [ExtendedKeyUsageOID.CODE_SIGNING]),
        "leaf384": _cert("pw signer 384", "pw test intermediate",
                         keys["leaf384"], keys["inter"], now - day,
                         now + 365 * day, False, _ku(sign=True)),
        # Expired since it signed: the reference checks the chain at the
        # leaf's notBefore, so this still verifies.
        "expiredleaf": _cert("pw past signer", "pw test intermediate",
                             keys["leaf"], keys["inter"], now - 8 * day,
                             now - day, False, _ku(sign=True)),
        # No digitalSignature, no codeSigning: may not sign.
        "wrongusage": _cert("pw tls server", "pw test intermediate",
                            keys["leaf"], keys["inter"], now - day,
                            now + 365 * day, False, _ku(encipher=True),
                            [ExtendedKeyUsageOID.SERVER_AUTH]),
        # Not signed by our root at all.
        "selfsigned": _cert("pw rogue", "pw rogue", keys["other"],
                            keys["other"], now - day, now + 365 * day, False,
                            _ku(sign=True)),
    }
    # An intermediate that expired before the leaf was issued: the
    # reference checks the chain at the leaf's notBefore, so this fails.
    certs["old"] = _cert("pw expired intermediate", "pw test root",
                         keys["old"], keys["root"], now - 9 * day,
                         now - 5 * day, True, ca_ku)
    certs["oldleaf"] = _cert("pw late signer", "pw expired intermediate",
                             keys["oldleaf"], keys["old"], now - 2 * day,
                             now + 365 * day, False, _ku(sign=True))
    for name, c in certs.items():
        (out / f"{name}.crt").write_bytes(
            c.public_bytes(serialization.Encoding.PEM))


# ---- hashing (hashing.py, _serialization/) -----------------------------

def _ignored(path, ignore):
    return any(path.is_relative_to(i) for i in ignore)


def _files(model, ignore):
    out = []
    for path in [model, *model.glob("**/*")]:
        if _ignored(path, ignore):
            continue
        if path.is_symlink():
            raise SystemExit(f"{path} is a symlink")
        if not (path.is_file() or path.is_dir()):
            raise SystemExit(f"{path} is not a file or directory")
        if path.is_file():
            out.append(path)
    return out


def _sha256(path, start=0, end=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            data = f.read(1 << 20 if left is None else min(1 << 20, left))
            if not data:
                break
            h.update(data)
            if left is not None:
                left -= len(data)
    return h.digest()


def manifest(model, ignore, shard_size):
    """Returns sorted [(key, name, algorithm, digest)]."""
    items = []
    for path in _files(model, ignore):
        rel = pathlib.PurePosixPath(path.relative_to(model))
        if shard_size is None:
            items.append(((rel,), str(rel), "sha256", _sha256(path)))
            continue
        size = path.stat().st_size
        start = 0
        ends = list(range(shard_size, size, shard_size)) + [size]
        if size == 0:
            ends = []
        for end in ends:
            items.append(((rel, start, end), f"{rel}:{start}:{end}",
                          f"sha256-sharded-{shard_size}",
                          _sha256(path, start, end)))
            start = end
    items.sort(key=lambda i: i[0])
    return items


# ---- signing -------------------------------------------------------------

def pae(raw):
    head = f"DSSEv1 {len(PAYLOAD_TYPE)} {PAYLOAD_TYPE} {len(raw)}"
    return b" ".join([head.encode("utf-8"), raw])


def pae_compat(raw):
    # The v0.2.0 bug the reference keeps accepting: repr() of the bytes.
    return (f"DSSEV1 {len(PAYLOAD_TYPE)} {PAYLOAD_TYPE} "
            f"{len(raw)} {raw}").encode("utf-8")


def _hash_for(key):
    return {256: hashes.SHA256(), 384: hashes.SHA384(),
            521: hashes.SHA512()}[key.curve.key_size]


def sign(a):
    model = pathlib.Path(a.model)
    sigpath = pathlib.Path(a.signature or (
        model / "model.sig" if model.is_dir() else model.parent / "model.sig"))
    root = model.resolve()
    ignore_rel = []
    for p in [*a.ignore, sigpath]:
        cand = (p if pathlib.Path(p).is_absolute()
                else pathlib.Path.cwd() / p)
        try:
            ignore_rel.append(pathlib.Path(cand).resolve().relative_to(root))
        except ValueError:
            pass
    ignore = [model / p for p in ignore_rel] + [model / g for g in GIT_PATHS]
    items = manifest(model, ignore, a.shard_size)
    if a.compat:
        statement = {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": name, "digest": {"sha256": d.hex()},
                         "annotations": {
                             "actual_hash_algorithm": "file-sha256"}}
                        for _, name, _, d in items],
            "predicateType": "https://model_signing/Digests/v0.1",
            "predicate": {"unused":
                          "Unused, just passed due to API requirements"},
        }
    else:
        root_digest = hashlib.sha256(b"".join(i[3] for i in items)).hexdigest()
        ser = {"method": "shards" if a.shard_size else "files",
               "hash_type": a.hash_type, "allow_symlinks": False}
        if a.shard_size:
            ser["shard_size"] = a.shard_size
        rel_ignores = sorted({os.path.relpath(p, model) for p in ignore})
        if rel_ignores:
            ser["ignore_paths"] = rel_ignores
        name = model.name or os.path.basename(model.resolve())
        statement = {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": name, "digest": {"sha256": root_digest}}],
            "predicateType": "https://model_signing/signature/v1.0",
            "predicate": {
                "serialization": ser,
                "resources": [{"name": n, "algorithm": alg,
                               "digest": d.hex()}
                              for _, n, alg, d in items],
            },
        }
    raw = json.dumps(statement, indent=2).encode("utf-8")
    key = serialization.load_pem_private_key(
        pathlib.Path(a.key).read_bytes(), None)
    if a.cert and a.compat:
        algo = hashes.SHA256()
    else:
        algo = _hash_for(key)
    sig = key.sign(pae_compat(raw) if a.compat else pae(raw), ec.ECDSA(algo))
    if a.cert:
        certs = [x509.load_pem_x509_certificate(
            pathlib.Path(a.cert).read_bytes())]
        end = b"-----END CERTIFICATE-----"
        for c in a.chain:
            # load_pem_x509_certificates needs cryptography 39; Debian 12
            # has 38.
            for part in pathlib.Path(c).read_bytes().split(end)[:-1]:
                certs.append(x509.load_pem_x509_certificate(part + end))
        material = {"x509CertificateChain": {"certificates": [
            {"rawBytes": base64.b64encode(c.public_bytes(
                serialization.Encoding.DER)).decode()} for c in certs]},
            "tlogEntries": []}
    else:
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo)
        material = {"publicKey": {} if a.no_hint else
                    {"hint": hashlib.sha256(pem).hexdigest()},
                    "tlogEntries": []}
    bundle = {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": material,
        "dsseEnvelope": {
            "payload": base64.b64encode(raw).decode(),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": base64.b64encode(sig).decode(),
                            "keyid": ""}],
        },
    }
    sigpath.write_text(json.dumps(bundle, indent=2), encoding="utf-8")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pki")
    p.add_argument("out")
    s = sub.add_parser("sign")
    s.add_argument("--key", required=True)
    s.add_argument("--cert")
    s.add_argument("--chain", action="append", default=[])
    s.add_argument("--shard-size", type=int)
    s.add_argument("--hash-type", default="sha256")
    s.add_argument("--ignore", action="append", default=[])
    s.add_argument("--compat", action="store_true")
    s.add_argument("--no-hint", action="store_true")
    s.add_argument("--signature")
    s.add_argument("model")
    a = ap.parse_args()
    if a.cmd == "pki":
        pki(a.out)
    else:
        sign(a)


if __name__ == "__main__":
    sys.exit(main())
