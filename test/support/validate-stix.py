"""Validates every object of a STIX 2.1 bundle file with the OASIS stix2-validator.

Usage: validate-stix.py BUNDLE [--check-against-reference-path N]

Prints JSON: {"objects": N, "invalid": [[id, message], ...], "workers": W}.

Every check is the validator's own (`validate_instance`, its JSON schemas and
its MUST checks). Two things make the whole shared corpus (58k objects) fit
the test budget, neither changing a verdict:

- stix2-validator 3.3.1 builds a fresh `referencing.Registry` for each object,
  and jsonschema then retrieves and re-crawls every referenced schema file at
  each `$ref` (more than half the time). Here each schema's validator is built
  once, on a registry that holds every bundled schema file, crawled once.
- The objects are split over one process per core.

`--check-against-reference-path N` also validates the first N objects and a
broken copy of each (a removed or malformed property) through the validator's
unpatched path, and fails unless both paths give identical verdicts and
messages.
"""

import copy
import functools
import json
import multiprocessing
import os
import pathlib
import sys

import stix2validator
import stix2validator.validator as reference
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from stix2validator import ValidationOptions, validate_instance

# The shortcut mirrors this version's `load_validator`; another version gets the unpatched path.
PATCHED_VERSION = "3.3.1"
_unpatched_load_validator = reference.load_validator
_registries = {}
_validators = {}


def _schema_registry(schema_dir):
    """Every schema file of `schema_dir`, keyed by the file URI its `$ref`s resolve to, crawled once."""
    if schema_dir not in _registries:
        resources = []
        for root, _, files in os.walk(schema_dir, followlinks=True):
            if "examples" in root:
                continue
            for name in sorted(files):
                if name.endswith(".json"):
                    path = os.path.join(root, name)
                    with open(path, encoding="utf-8") as handle:
                        contents = reference.patch_schema(json.load(handle), path)
                    resources.append((pathlib.Path(path).as_uri(), Resource.from_contents(contents)))
        retrieve = functools.partial(reference.retrieve_from_filesystem, schema_dir=schema_dir)
        _registries[schema_dir] = Registry(retrieve=retrieve).with_resources(resources).crawl()
    return _registries[schema_dir]


def _cached_load_validator(schema_path, schema, schema_dir):
    """`load_validator` of stix2-validator 3.3.1, built once per schema on the shared registry."""
    key = (schema_path, schema_dir)
    if key not in _validators:
        patched = reference.patch_schema(schema, schema_path)
        registry = _schema_registry(schema_dir).with_resource(
            schema_path, DRAFT202012.create_resource(patched)
        ).crawl()
        _validators[key] = reference.STIXValidator(
            patched, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return _validators[key]


def use_shortcut(enabled):
    reference.load_validator = (
        _cached_load_validator
        if enabled and stix2validator.__version__ == PATCHED_VERSION
        else _unpatched_load_validator
    )


def validate(objects):
    options = ValidationOptions(version="2.1")
    invalid = []
    for obj in objects:
        result = validate_instance(obj, options)
        if not result.is_valid:
            invalid.append([obj.get("id"), "; ".join(str(error) for error in result.errors)])
    return invalid


def _validate_with_shortcut(objects):
    use_shortcut(True)
    return validate(objects)


def _broken_copies(objects):
    """A broken copy of each object: each of these mutations breaks a different rule."""
    mutations = [
        lambda o: o.pop("created", None),
        lambda o: o.__setitem__("modified", "2020-13-45T00:00:00Z"),
        lambda o: o.__setitem__("id", o["type"] + "--not-a-uuid"),
        lambda o: o.__setitem__("spec_version", "2.0"),
        lambda o: o.__setitem__("labels", "not-a-list"),
        lambda o: o.__setitem__("Bad_Property", 1),
        lambda o: o.__setitem__("object_marking_refs", ["marking-definition--bogus"]),
        lambda o: o.__setitem__("confidence", 1000),
    ]
    broken = []
    for index, obj in enumerate(objects):
        copied = copy.deepcopy(obj)
        mutations[index % len(mutations)](copied)
        broken.append(copied)
    return broken


def check_against_reference_path(objects):
    sample = [item for pair in zip(objects, _broken_copies(objects)) for item in pair]
    use_shortcut(False)
    expected = validate(sample)
    use_shortcut(True)
    got = validate(sample)
    if got != expected:
        sys.exit(f"the shortcut disagrees with the validator's own path: {got[:3]} vs {expected[:3]}")
    if not expected:
        sys.exit("the reference check found nothing invalid in the broken copies")
    return {"objects": len(sample), "invalid": len(expected)}


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        objects = json.load(handle)["objects"]
    report = {"objects": len(objects)}
    if len(sys.argv) > 3 and sys.argv[2] == "--check-against-reference-path":
        report["referenceCheck"] = check_against_reference_path(objects[: int(sys.argv[3])])
    workers = max(1, min(4, os.cpu_count() or 1, len(objects) // 2_000 or 1))
    chunks = [objects[start::workers] for start in range(workers)]
    if workers == 1:
        invalid = _validate_with_shortcut(objects)
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            invalid = [item for part in pool.map(_validate_with_shortcut, chunks) for item in part]
    report.update({"invalid": invalid, "workers": workers})
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
