import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { verifyExport } from '@access-ledger/audit';
import { sha256Hex, signatureCheck } from '../audit/audit-signing';

const USAGE = [
  'Usage:',
  '  npm run audit:verify -- <export.ndjson> [--public-key <key.pem>]   an export from GET /audit/export, offline',
  '  npm run audit:verify -- --store                                    every stream’s hash chain in the configured event store',
].join('\n');

/**
 * `npm run audit:verify`: an export checked line by line as it is read (constant memory),
 * naming the first broken line; or the event store's stream hash chains, naming each stream and
 * revision that breaks. Exit code 0: intact; 1: broken; 2: usage, a file or key that cannot be
 * read, or a store that cannot be reached.
 */
async function main(): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ allowPositionals: true, options: { 'public-key': { type: 'string' }, store: { type: 'boolean', default: false } } }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (values.store) {
    if (positionals.length > 0 || values['public-key']) return usage();
    return verifyStore();
  }
  if (positionals.length !== 1) return usage();
  return verifyFile(positionals[0], values['public-key']);
}

const usage = (): number => {
  process.stderr.write(`${USAGE}\n`);
  return 2;
};

async function verifyFile(file: string, publicKeyFile: string | undefined): Promise<number> {
  let verifySignature: ((text: string, signature: string) => boolean) | undefined;
  if (publicKeyFile) {
    try {
      verifySignature = signatureCheck(readFileSync(publicKeyFile, 'utf8'));
    } catch (error) {
      process.stderr.write(`Cannot use ${publicKeyFile} as the public key: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject));
  try {
    await opened;
  } catch (error) {
    process.stderr.write(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  const verdict = await verifyExport(lines, { sha256: sha256Hex, verifySignature });
  lines.close();
  input.destroy();
  if (!verdict.ok) {
    process.stderr.write(`BROKEN ${file}: ${verdict.reason}\n`);
    return 1;
  }
  const { manifest } = verdict;
  process.stdout.write(
    [
      `OK ${file}: ${verdict.count} events, final hash ${verdict.finalHash}`,
      `  format ${manifest.format}, organisation ${manifest.organisationId ?? 'all'}, occurredAt in [${manifest.from ?? 'start'}, ${manifest.to ?? 'end'}), positions ${manifest.firstPosition ?? '–'} to ${manifest.lastPosition ?? '–'} (log read through ${manifest.throughPosition}), generated ${manifest.generatedAt}`,
      verdict.signature === 'valid'
        ? `  signature valid (Ed25519, key sha256 ${manifest.publicKeySha256})`
        : `  signature NOT checked: pass --public-key (the manifest names key sha256 ${manifest.publicKeySha256})`,
    ].join('\n') + '\n',
  );
  return 0;
}

async function verifyStore(): Promise<number> {
  // Loaded only here: a file is verified without the stores' drivers and Nest (a faster start).
  const { createEventStore, loadConfigOrExit } = await import('@access-ledger/platform');
  const { checkStreamChains } = await import('@access-ledger/event-store');
  const config = loadConfigOrExit(process.env, { auth: false, auditKey: false });
  const store = await createEventStore(config);
  let shown = 0;
  try {
    const report = await checkStreamChains(store.readAll(), (found) => {
      shown += 1;
      if (shown <= 1000) process.stderr.write(`BROKEN ${found.message}${found.position !== null ? ` (position ${found.position})` : ''}\n`);
      if (shown === 1001) process.stderr.write('… more breaks not shown\n');
    });
    const summary = `${report.events} events in ${report.streams} streams; ${report.unhashed} stored before the hash chain (not checked); ${report.breaks} break(s)`;
    if (report.breaks > 0) {
      process.stderr.write(`BROKEN store: ${summary}\n`);
      return 1;
    }
    process.stdout.write(`OK store: ${summary}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(2);
  },
);
