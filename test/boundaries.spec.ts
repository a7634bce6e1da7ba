import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Domain code stays pure: the deciders import nothing from Nest, a driver, a store or the
 * validation library, and never read the clock or make random ids themselves.
 */
const root = join(__dirname, '..');
const DOMAIN_LIBS = ['libs/core/src', 'libs/directory/src', 'libs/access-requests/src'];
const PROJECTIONS = ['projections'];
const FORBIDDEN_IMPORTS = /from '(@nestjs\/[^']*|better-sqlite3|mongodb|@eventstore\/[^']*|class-validator|class-transformer|express|node:fs|node:crypto|@access-ledger\/(event-store|read-store|projection-runner|auth))'/;
const IMPURE_CALLS = /\bnew Date\(\)|\bDate\.now\(\)|Math\.random\(\)|randomUUID\(/;

const sources = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'testing' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });

describe('architecture boundaries', () => {
  it.each(DOMAIN_LIBS.flatMap(sources).map((f) => [f]))('%s imports no framework, driver or store', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(text).not.toMatch(FORBIDDEN_IMPORTS);
    if (!file.endsWith('ids.ts')) expect(text).not.toMatch(IMPURE_CALLS);
  });

  it.each(PROJECTIONS.flatMap(sources).map((f) => [f]))('projection %s is pure', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(text.replace(/from '@access-ledger\/read-store'/g, '')).not.toMatch(FORBIDDEN_IMPORTS);
    expect(text).not.toMatch(IMPURE_CALLS);
    expect(relative(root, join(root, file))).toMatch(/^projections\//);
  });
});
