export * from './access-request';
export * from './policy';
