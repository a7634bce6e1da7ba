import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The architecture's boundaries (.dependency-cruiser.cjs), checked by dependency-cruiser on
 * the whole tree; a violation fails with a line naming the rule and both files.
 */
const root = join(__dirname, '..');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');
const config = join(root, '.dependency-cruiser.cjs');

const cruise = (cwd: string, paths: string[]): { code: number; output: string } => {
  try {
    const output = execFileSync(depcruise, ['--config', config, '--output-type', 'err', ...paths], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
};

describe('architecture boundaries', () => {
  it('hold in the whole tree', () => {
    const { code, output } = cruise(root, ['apps', 'libs', 'projections', 'test', 'bench']);
    if (code !== 0) throw new Error(`Boundary violations (rule: from → to):\n${output}`);
  });

  it('are enforced: every rule names both files of a violation', () => {
    const { code, output } = cruise(join(root, 'test', 'fixtures', 'boundaries'), ['libs', 'apps', 'projections']);
    expect(code).not.toBe(0);
    const violations = output.split('\n').filter((line) => line.includes('error '));
    expect(violations.map((line) => line.trim()).sort()).toEqual(
      [
        'error context-through-its-index: libs/directory/src/index.ts → libs/event-store/src/internal.ts',
        'error domain-is-pure: libs/core/src/io.ts → fs',
        'error domain-is-pure: libs/directory/src/index.ts → libs/event-store/src/internal.ts',
        'error domain-is-pure: libs/directory/src/user.ts → ../../../node_modules/@nestjs/common/index.js',
        'error domain-is-pure: libs/directory/src/user.ts → libs/event-store/src/index.ts',
        'error no-app-imports-another-app: apps/projector/src/main.ts → apps/api/src/config.ts',
        'error projections-read-events-only: projections/x/x.projection.ts → libs/event-store/src/index.ts',
      ].sort(),
    );
  });
});

describe('the use-case layout', () => {
  it('keeps each use case’s folder to itself: shared pieces live at the context root', () => {
    const { code, output } = cruise(join(root, 'test', 'fixtures', 'layout'), ['apps']);
    expect(code).not.toBe(0);
    const violations = output.split('\n').filter((line) => line.includes('error '));
    expect(violations.map((line) => line.trim()).sort()).toEqual(
      [
        'error use-case-folders-stand-alone: apps/api/src/access-requests/create-request/create-request.command.ts → apps/api/src/directory/add-user/add-user.command.ts',
        'error use-case-folders-stand-alone: apps/api/src/directory/add-user/add-user.command.ts → apps/api/src/directory/change-user/change-user.command.ts',
        'error use-case-folders-stand-alone: apps/api/src/directory/queries/list-users.query.ts → apps/api/src/directory/change-user/change-user.dto.ts',
      ].sort(),
    );
  });
});

/** What no import rule can see: domain code never reads the clock or makes random values itself. */
const DOMAIN_LIBS = ['libs/core/src', 'libs/directory/src', 'libs/access-requests/src', 'libs/care-access/src', 'libs/audit/src', 'libs/provisioning/src', 'libs/feed/src', 'projections'];
const IMPURE_CALLS = /\bnew Date\(\)|\bDate\.now\(\)|Math\.random\(\)|randomUUID\(/;
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'testing' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });

describe('domain purity', () => {
  it.each(DOMAIN_LIBS.flatMap(sources).filter((f) => !f.endsWith('ids.ts')).map((f) => [f]))('%s reads no clock and makes no random values', (file) => {
    expect(readFileSync(join(root, file), 'utf8')).not.toMatch(IMPURE_CALLS);
  });
});
