export * from './permissions';
export * from './streams';
export * from './caller';
export * from './organisation';
export * from './email-reservation';
export * from './user';
export * from './lead-administrators';
export * from './catalogue';
