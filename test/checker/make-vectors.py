#!/usr/bin/env python3
"""Writes test/checker/vectors.json: canonical observables with their STIX 2.1 ids.

The end-to-end checker (test/checker/) must not trust Dragnet's own
canonicaliser or id code, so both halves of each vector come from elsewhere:
the canonical value is generated here directly in canonical form (lower-case
hosts and hex, RFC 5952 IPv6 via Python's ipaddress, URLs whose path and query
the WHATWG serialiser leaves as they are), and the id is computed by the OASIS
`stix2` library. The test command reads the committed JSON; PyPI is needed
only to regenerate it:

    python3 -m venv /tmp/stix2-venv
    /tmp/stix2-venv/bin/pip install stix2==3.0.2
    /tmp/stix2-venv/bin/python test/checker/make-vectors.py > test/checker/vectors.json
    corepack pnpm exec biome format --write test/checker/vectors.json  # the repo's JSON layout

File hashes: one hash per file object, under the STIX hash-algorithm-ov name
(`MD5`, `SHA-1`, `SHA-256`), the shape Dragnet emits for a hash indicator.

`registry_vectors` (after `vectors`, drawn from their own seed so that the
checker's vectors stay as they were) cover the other kinds of the kind
registry (packages/indicators/src/kinds.ts), a few canonical values each,
tricky characters included (quotes, backslashes, non-ASCII). Their ids come
from stix2's SCO classes; where stix2 gives no deterministic id (x509
subject/issuer are not ID-contributing, user agents need a whole HTTP
request, wallets, TLS/SSH fingerprints, phone numbers and pattern indicators
are not SCOs) from stix2's own RFC
8785 canonicaliser and the STIX namespace, as STIX 2.1 §2.9 defines them.
The end-to-end checker reads only `vectors`.
"""

import ipaddress
import json
import random
import string
import sys

import uuid

import stix2
from stix2.base import SCO_DET_ID_NAMESPACE
from stix2.canonicalization.Canonicalize import canonicalize
from stix2.v21 import (
    URL,
    AutonomousSystem,
    Directory,
    DomainName,
    EmailAddress,
    EmailMessage,
    File,
    IPv4Address,
    IPv6Address,
    MACAddress,
    Mutex,
    WindowsRegistryKey,
    X509Certificate,
)

SEED = 20261
COUNTS = {
    "ipv4": 900,
    "ipv6": 700,
    "domain": 900,
    "url": 900,
    "email": 700,
    "md5": 600,
    "sha1": 600,
    "sha256": 700,
}
TLDS = ["com", "net", "org", "info", "io", "de", "ru", "xyz", "biz", "co"]
LOWER_DIGITS = string.ascii_lowercase + string.digits

rng = random.Random(SEED)


def label(min_len=3, max_len=12):
    length = rng.randint(min_len, max_len)
    chars = [rng.choice(LOWER_DIGITS) for _ in range(length)]
    # An inner hyphen sometimes; never first or last (RFC 1123).
    if length >= 5 and rng.random() < 0.3:
        chars[rng.randint(1, length - 2)] = "-"
    text = "".join(chars)
    # A name whose labels are all digits would read as a number: force a letter first.
    return rng.choice(string.ascii_lowercase) + text[1:]


def domain():
    return ".".join(label() for _ in range(rng.randint(1, 3))) + "." + rng.choice(TLDS)


def ipv4():
    first = rng.choice([n for n in range(11, 100) if n not in (10, 100)])
    return ".".join(str(part) for part in [first, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)])


def ipv6():
    groups = [rng.randint(0x2400, 0x2A0F)] + [rng.randint(0, 0xFFFF) for _ in range(7)]
    # Zero runs, so that both the canonical and the spelled forms have something to compress.
    if rng.random() < 0.7:
        start = rng.randint(1, 6)
        for index in range(start, min(8, start + rng.randint(1, 4))):
            groups[index] = 0
    if rng.random() < 0.5:
        groups[rng.randint(1, 7)] = rng.randint(0, 0xFF)  # leading zeros to drop
    value = 0
    for group in groups:
        value = (value << 16) | group
    return ipaddress.IPv6Address(value).compressed


def url():
    scheme = rng.choice(["http", "https"])
    host = domain() if rng.random() < 0.85 else ipv4()
    path = "/" + "/".join(label(2, 10) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.3:
        path += rng.choice([".php", ".exe", ".zip", "/"])
    query = f"?id={rng.randint(1, 99999)}&k={label(2, 6)}" if rng.random() < 0.4 else ""
    return f"{scheme}://{host}{path}{query}"


def email():
    local = label(2, 10)
    if rng.random() < 0.3:
        local += "." + label(2, 6)
    # The local part is case-sensitive (RFC 5321): canonical keeps it as sent.
    if rng.random() < 0.25:
        local = local[0].upper() + local[1:]
    return f"{local}@{domain()}"


def hex_digits(length):
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


GENERATORS = {
    "ipv4": ipv4,
    "ipv6": ipv6,
    "domain": domain,
    "url": url,
    "email": email,
    "md5": lambda: hex_digits(32),
    "sha1": lambda: hex_digits(40),
    "sha256": lambda: hex_digits(64),
}

HASH_NAMES = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256"}


def stix_id(kind, value):
    if kind in HASH_NAMES:
        return File(hashes={HASH_NAMES[kind]: value}).id
    sco = {
        "ipv4": IPv4Address,
        "ipv6": IPv6Address,
        "domain": DomainName,
        "url": URL,
        "email": EmailAddress,
    }[kind]
    return sco(value=value).id


REGISTRY_SEED = SEED + 1
REGISTRY_COUNT = 12
HASH_KEYS = {
    "sha224": ("SHA-224", 56),
    "sha384": ("SHA-384", 96),
    "sha3-256": ("SHA3-256", 64),
    "sha3-512": ("SHA3-512", 128),
    "imphash": ("imphash", 32),
    "authentihash": ("authentihash", 64),
    "pehash": ("pehash", 40),
}
X509_HASH_KEYS = {"x509-md5": ("MD5", 32), "x509-sha1": ("SHA-1", 40), "x509-sha256": ("SHA-256", 64)}
# Characters that need JSON escaping or are non-ASCII, so the slow id path is covered too.
TRICKY = ["'", '"', "\\", " ", "\u00e9", "\u4e2d", "-", "_", "$"]
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BASE64 = string.ascii_letters + string.digits + "+/"


def word(rng_, min_len=3, max_len=10, tricky=True):
    chars = [rng_.choice(string.ascii_letters + string.digits) for _ in range(rng_.randint(min_len, max_len))]
    if tricky and rng_.random() < 0.4:
        chars[rng_.randint(1, len(chars) - 1)] = rng_.choice(TRICKY)
    return "".join(chars)


def det_id(stix_type, properties):
    """STIX 2.1 §2.9: UUIDv5 in the SCO namespace of the JCS of the ID-contributing properties."""
    return f"{stix_type}--{uuid.uuid5(SCO_DET_ID_NAMESPACE, canonicalize(properties, utf8=False))}"


def registry_value(kind, r):
    """A canonical value of `kind` and its id."""
    if kind in HASH_KEYS:
        key, length = HASH_KEYS[kind]
        value = "".join(r.choice("0123456789abcdef") for _ in range(length))
        return value, File(hashes={key: value}, allow_custom=True).id
    if kind in X509_HASH_KEYS:
        key, length = X509_HASH_KEYS[kind]
        value = "".join(r.choice("0123456789abcdef") for _ in range(length))
        return value, X509Certificate(hashes={key: value}).id
    if kind == "ssdeep":
        value = f"{3 * 2 ** r.randint(0, 12)}:{''.join(r.choice(BASE64) for _ in range(r.randint(8, 64)))}:{''.join(r.choice(BASE64) for _ in range(r.randint(4, 32)))}"
        return value, File(hashes={"SSDEEP": value}).id
    if kind == "tlsh":
        # 70 hex digits as STIX 2.1 defines TLSH (Dragnet drops TLSH 4's `T1` version prefix, which stix2 refuses).
        value = "".join(r.choice("0123456789ABCDEF") for _ in range(70))
        return value, File(hashes={"TLSH": value}).id
    if kind == "file-name":
        value = word(r) + r.choice([".exe", ".dll", ".docx", ".sh", ""])
        return value, File(name=value).id
    if kind == "file-path":
        directory = r.choice(["C:\\Users\\", "/usr/lib/", "%APPDATA%\\"]) + word(r)
        name = word(r) + ".bin"
        separator = "/" if directory.startswith("/") else "\\"
        return f"{directory}{separator}{name}", File(name=name, parent_directory_ref=Directory(path=directory).id).id
    if kind == "directory":
        value = r.choice(["C:\\ProgramData\\", "/var/tmp/", "%TEMP%\\"]) + word(r)
        return value, Directory(path=value).id
    if kind == "registry-key":
        hive = r.choice(["HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER", "HKEY_USERS"])
        value = f"{hive}\\Software\\{word(r)}\\{word(r)}"
        return value, WindowsRegistryKey(key=value).id
    if kind == "mutex":
        value = r.choice(["Global\\", "Local\\", ""]) + word(r, 6, 20)
        return value, Mutex(name=value).id
    if kind == "x509-serial":
        value = ":".join(f"{r.randint(0, 255):02x}" for _ in range(r.randint(4, 20)))
        return value, X509Certificate(serial_number=value).id
    if kind in ("x509-subject", "x509-issuer"):
        value = f"C={r.choice(['US', 'DE', 'CN'])},O={word(r)},CN={word(r)}.example"
        return value, det_id("x509-certificate", {kind[5:]: value})
    if kind == "asn":
        value = str(r.choice([r.randint(1, 65535), r.randint(65536, 4294967295)]))
        return value, AutonomousSystem(number=int(value)).id
    if kind == "mac":
        value = ":".join(f"{r.randint(0, 255):02x}" for _ in range(6))
        return value, MACAddress(value=value).id
    if kind == "user-agent":
        value = f"Mozilla/5.0 ({word(r)}; {word(r)}) {word(r)}/{r.randint(1, 120)}.0"
        header = {"extensions": {"http-request-ext": {"request_header": {"User-Agent": value}}}}
        return value, det_id("network-traffic", header)
    if kind == "email-subject":
        value = " ".join(word(r) for _ in range(r.randint(1, 6)))
        return value, EmailMessage(subject=value, is_multipart=False).id
    if kind == "crypto-wallet":
        if r.random() < 0.3:
            value = "0x" + "".join(r.choice("0123456789abcdef") for _ in range(40))
        else:
            value = r.choice("13") + "".join(r.choice(BASE58) for _ in range(r.randint(25, 33)))
        return value, det_id("cryptocurrency-wallet", {"value": value})
    fingerprint_types = {
        "ja3": ("x-ja3-fingerprint", 32),
        "ja3s": ("x-ja3s-fingerprint", 32),
        "jarm": ("x-jarm-fingerprint", 62),
        "hassh": ("x-hassh-fingerprint", 32),
        "hassh-server": ("x-hassh-server-fingerprint", 32),
    }
    if kind in fingerprint_types:
        stix_type, length = fingerprint_types[kind]
        value = "".join(r.choice("0123456789abcdef") for _ in range(length))
        return value, det_id(stix_type, {"value": value})
    if kind == "phone":
        digits = "".join(r.choice(string.digits) for _ in range(r.randint(7, 15)))
        value = r.choice(["+", ""]) + digits
        return value, det_id("x-phone-number", {"value": value})
    pattern_types = {"stix-pattern": "stix", "yara": "yara", "sigma": "sigma", "snort": "snort", "suricata": "suricata"}
    pattern_type = pattern_types[kind]
    value = {
        "stix": f"[process:command_line = '{word(r, tricky=False)} {word(r)}'] AND [file:name = '{word(r, tricky=False)}']",
        "yara": f"rule {word(r, tricky=False)} {{ strings: $a = \"{word(r)}\" condition: $a }}",
        "sigma": f"title: {word(r)}\ndetection:\n  selection:\n    Image|endswith: '\\{word(r, tricky=False)}.exe'",
        "snort": f'alert tcp any any -> any 80 (msg:"{word(r, tricky=False)}"; content:"{word(r, tricky=False)}"; sid:{r.randint(1, 99999)};)',
        "suricata": f'alert http any any -> any any (msg:"{word(r, tricky=False)}"; http.uri; content:"/{word(r, tricky=False)}"; sid:{r.randint(1, 99999)};)',
    }[pattern_type]
    return value, det_id("indicator", {"pattern": value, "pattern_type": pattern_type})


REGISTRY_KINDS = [
    *HASH_KEYS,
    "ssdeep",
    "tlsh",
    "file-name",
    "file-path",
    "directory",
    "registry-key",
    "mutex",
    *X509_HASH_KEYS,
    "x509-serial",
    "x509-subject",
    "x509-issuer",
    "asn",
    "mac",
    "user-agent",
    "email-subject",
    "crypto-wallet",
    "stix-pattern",
    "yara",
    "sigma",
    "snort",
    "suricata",
    # Added after the others, so that their values (drawn from one generator) stay as they were.
    "phone",
    "ja3",
    "ja3s",
    "jarm",
    "hassh",
    "hassh-server",
]


def registry_vectors():
    r = random.Random(REGISTRY_SEED)
    vectors = []
    for kind in REGISTRY_KINDS:
        values = set()
        while len(values) < REGISTRY_COUNT:
            value, id_ = registry_value(kind, r)
            if value in values:
                continue
            values.add(value)
            vectors.append([kind, value, id_])
    return vectors


def main():
    vectors = []
    seen = set()
    for kind, count in COUNTS.items():
        made = 0
        while made < count:
            value = GENERATORS[kind]()
            if value in seen:
                continue
            seen.add(value)
            vectors.append([kind, value, stix_id(kind, value)])
            made += 1
    rng.shuffle(vectors)
    out = sys.stdout
    out.write("{\n")
    out.write(f'  "generator": "test/checker/make-vectors.py (seed {SEED})",\n')
    out.write(f'  "stix2": "{stix2.__version__}",\n')
    out.write('  "vectors": [\n')
    out.write(",\n".join("    " + json.dumps(vector) for vector in vectors))
    out.write("\n  ],\n")
    out.write('  "registry_vectors": [\n')
    out.write(",\n".join("    " + json.dumps(vector, ensure_ascii=False) for vector in registry_vectors()))
    out.write("\n  ]\n}\n")


if __name__ == "__main__":
    main()
