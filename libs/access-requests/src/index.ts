export * from './events';
export * from './catalogue';
export * from './access-request';
export * from './policy';
