import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (this file is packages/test-kit/src/python.ts). */
const REPOSITORY = join(import.meta.dirname, '..', '..', '..');

/**
 * The OASIS reference tools some tests use as oracles (`taxii2-client`,
 * `stix2-validator`), in a venv at the repository root (`.venv-taxii`,
 * git-ignored), created when missing. Returns the venv's python.
 */
export function ensureStixPython(): string {
  const venv = join(REPOSITORY, '.venv-taxii');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(
      join(venv, 'bin', 'pip'),
      ['install', '--quiet', 'taxii2-client==2.3.0', 'stix2-validator==3.3.1'],
      {
        stdio: 'inherit',
      },
    );
  }
  // The stix2-validator 3.3.1 wheel ships without its copy of the OASIS STIX 2.1 JSON schemas
  // (a git submodule upstream); it gets the vendored OASIS schemas the API's tests use.
  const validator = execFileSync(python, [
    '-c',
    'import stix2validator, os; print(os.path.dirname(stix2validator.__file__))',
  ])
    .toString()
    .trim();
  const schemas = join(validator, 'schemas-2.1');
  if (!existsSync(join(schemas, 'schemas'))) {
    mkdirSync(schemas, { recursive: true });
    symlinkSync(
      join(REPOSITORY, 'services', 'api', 'fixtures', 'stix2.1-schemas', 'schemas'),
      join(schemas, 'schemas'),
    );
  }
  return python;
}
