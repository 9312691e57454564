"""Validates every object of a STIX 2.1 bundle file with the OASIS stix2-validator.

Prints JSON: {"objects": N, "invalid": [[id, message], ...]}.
"""

import json
import sys

from stix2validator import ValidationOptions, validate_instance


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        bundle = json.load(handle)
    options = ValidationOptions(version="2.1")
    invalid = []
    for obj in bundle["objects"]:
        result = validate_instance(obj, options)
        if not result.is_valid:
            invalid.append([obj["id"], "; ".join(str(error) for error in result.errors)])
    json.dump({"objects": len(bundle["objects"]), "invalid": invalid}, sys.stdout)


if __name__ == "__main__":
    main()
