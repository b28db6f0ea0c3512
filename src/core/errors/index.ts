export * from './integration.error';
export * from './problem';
export * from './problem.exception';
export * from './quota-exceeded';
export * from './problem-details.filter';
export * from './validation-problem.exception';
export * from './api-problem-responses.decorator';
