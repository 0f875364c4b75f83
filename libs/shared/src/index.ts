export * from './labels';
export * from './architectures';
export * from './hyperparameters';
export * from './status';
export * from './progress';
export * from './finishing';
export * from './stored-values';
