import { cpus } from 'node:os';
import { describeBackend, describeCpu, type SelectedBackend } from '@moodlab/cnn/backend';

/**
 * The first lines of every benchmark: which CPU (figures from one CPU say nothing of another's),
 * and which kernels ran with the SGEMM rate they reach on it.
 */
export function printMachine(backend: SelectedBackend): void {
  console.log(`CPU: ${backend.blas ? describeCpu(backend) : (cpus()[0]?.model ?? 'unknown')}, ${cpus().length} cores`);
  console.log(`backend: ${describeBackend(backend)}`);
}
