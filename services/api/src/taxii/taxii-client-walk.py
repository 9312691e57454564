#!/usr/bin/env python3
"""Walks Dragnet's TAXII 2.1 server with the OASIS-listed `taxii2-client`.

Used by taxii-client.int.test.ts (which installs the pinned libraries into
/work/main/.venv-taxii when missing). For every collection the key can read:
every page of objects and of the manifest (optionally `added_after`), as the
library pages them (`as_pages`, following `more`/`next`), and every object
served checked with the OASIS `stix2-validator`. Prints one JSON document:

    {"collections": {<id>: {"objects": [[id, version, date_added?]...],
                            "manifest": [[id, version, date_added]...],
                            "pages": n}},
     "invalid": [[id, message]...]}

Arguments: server URL (…/taxii2/), key id, key, page size, [added_after].
"""

import json
import sys

from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import Server, as_pages


def main():
    url, user, password, per_request = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    added_after = sys.argv[5] if len(sys.argv) > 5 else None
    filters = {"added_after": added_after} if added_after else {}
    options = ValidationOptions(version="2.1")
    server = Server(url, user=user, password=password)
    root = server.api_roots[0]
    result = {"collections": {}, "invalid": []}
    validated = set()
    for collection in root.collections:
        objects, manifest, pages = [], [], 0
        for envelope in as_pages(collection.get_objects, per_request=per_request, **filters):
            pages += 1
            for obj in envelope.get("objects", []):
                version = obj.get("modified", obj.get("created"))
                objects.append([obj["id"], version])
                # Shared objects (identities, markings) come again on later pages: checked once.
                if (obj["id"], version) in validated:
                    continue
                validated.add((obj["id"], version))
                validation = validate_instance(obj, options)
                if not validation.is_valid:
                    messages = [str(error) for error in validation.errors]
                    result["invalid"].append([obj["id"], "; ".join(messages)])
        for envelope in as_pages(collection.get_manifest, per_request=per_request, **filters):
            for entry in envelope.get("objects", []):
                manifest.append([entry["id"], entry["version"], entry["date_added"]])
        result["collections"][collection.id] = {"objects": objects, "manifest": manifest, "pages": pages}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
