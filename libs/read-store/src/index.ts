export * from './read-store';
export * from './sqlite-read-store';
export * from './mongodb-read-store';
export * from './projection';
