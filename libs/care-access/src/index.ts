export * from './events';
export * from './catalogue';
export * from './caller';
export * from './workflow';
export * from './participant';
export * from './policy';
