export * from './http-client';
export * from './http-client.errors';
export * from './http-client.module';
export * from './http-client.options';
