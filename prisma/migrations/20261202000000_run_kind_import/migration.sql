-- Runs that import a model trained elsewhere (a Keras file).
ALTER TYPE "RunKind" ADD VALUE 'import';
