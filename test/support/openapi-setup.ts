import { takeContractFailures } from './contract-failures';

// Every spec: a response received through api.http that the OpenAPI document does not describe fails the test that received it.
afterEach(() => {
  const failures = takeContractFailures();
  if (failures.length > 0) throw new Error(`Responses that docs/openapi.json does not describe (fix the document in the code, then npm run openapi):\n${failures.join('\n')}`);
});
