'use strict';
/**
 * Lets a plain Node require this repository's TypeScript sources: the event store's writer
 * thread when the store itself runs from its sources (under jest, whose ts-jest compiles in
 * memory only, so a worker thread or a child process cannot load a .ts file), and the child
 * processes of the store's specs (`node -r <this file> child.ts`). The build (dist/) never
 * needs it.
 *
 * Each .ts file is compiled on its own by the TypeScript compiler the repository has
 * (transpileModule, as ts-jest's isolatedModules does: no type check, the build does that), the
 * output cached on disk by the source's hash, so a worker started again loads no compiler.
 * `@access-ledger/*` imports are resolved through tsconfig.json's paths, as jest's
 * moduleNameMapper and tsc-alias do.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');

if (!Module._extensions['.ts']) {
  let root = __dirname;
  while (!existsSync(join(root, 'tsconfig.json'))) {
    if (dirname(root) === root) throw new Error(`register-ts: no tsconfig.json above ${__dirname}`);
    root = dirname(root);
  }
  const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  const base = resolve(root, compilerOptions.baseUrl ?? '.');
  const aliases = new Map(Object.entries(compilerOptions.paths ?? {}).map(([alias, [target]]) => [alias, resolve(base, target)]));

  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
  };

  const typescriptVersion = JSON.parse(readFileSync(require.resolve('typescript/package.json', { paths: [root] }), 'utf8')).version;
  const cacheDir = join(tmpdir(), 'access-ledger-register-ts');
  const compile = (source, filename) => {
    const key = createHash('sha256').update(`${typescriptVersion}\0${filename}\0${source}`).digest('hex');
    const cached = join(cacheDir, `${key}.js`);
    if (existsSync(cached)) return readFileSync(cached, 'utf8');
    const ts = require(require.resolve('typescript', { paths: [root] }));
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        inlineSourceMap: true,
      },
    });
    mkdirSync(cacheDir, { recursive: true });
    // Written whole, then renamed: a reader in another process never sees half a file.
    const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(partial, outputText);
    renameSync(partial, cached);
    return outputText;
  };

  Module._extensions['.ts'] = (module, filename) => {
    module._compile(compile(readFileSync(filename, 'utf8'), filename), filename);
  };
}
