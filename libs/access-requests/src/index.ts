export * from './access-request';
