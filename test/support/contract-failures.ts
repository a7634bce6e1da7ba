/**
 * Responses that did not match the OpenAPI document (openapi-contract.ts), waiting to fail the
 * test that received them: openapi-setup.ts takes them after each test. A module of its own so
 * that the setup loads nothing else.
 */
const pending: string[] = [];

export const recordContractFailure = (line: string) => {
  pending.push(line);
};

export const takeContractFailures = (): string[] => pending.splice(0, pending.length);
