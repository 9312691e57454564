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
"""

import ipaddress
import json
import random
import string
import sys

import stix2
from stix2.v21 import URL, DomainName, EmailAddress, File, IPv4Address, IPv6Address

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
    out.write("\n  ]\n}\n")


if __name__ == "__main__":
    main()
