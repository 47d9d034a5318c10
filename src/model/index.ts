export * from './function-record.js';
export * from './segments.js';
export * from './line-counts.js';
export * from './coverage-set.js';
export * from './views.js';
export * from './summary.js';
export * from './filters.js';
