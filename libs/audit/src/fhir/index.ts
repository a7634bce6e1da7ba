export * from './audit-event';
export { FHIR_SYSTEMS, grantPolicy } from './references';
