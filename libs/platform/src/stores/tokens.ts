/** Injection tokens for the ports (interfaces have no runtime identity). */
export const APP_CONFIG = 'AppConfig';
export const EVENT_STORE = 'EventStore';
export const READ_STORE = 'ReadStore';
export const PROJECTIONS = 'Projections';
export const REACTORS = 'Reactors';
export const SWEEPS = 'Sweeps';
