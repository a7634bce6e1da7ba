/**
 * The audit context: pure functions over recorded events of every context (timelines, state
 * as of a moment, who could see what, the hash chains of the export and of the store, FHIR
 * resources), and the audit read policy. No Nest, no store, no clock: the API and the CLI
 * tools feed it events (and, for the export, the hash function and the signature check).
 */
export * from './policy';
export * from './changes';
export * from './replay';
export * from './instant';
export * from './audited';
export * from './access';
export * from './events';
export * from './catalogue';
export * from './audit-log';
export * from './fhir';
export * from './export-format';
export * from './export-chain';
export * from './export-verify';
