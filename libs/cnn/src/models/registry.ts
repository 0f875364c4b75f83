import type { Architecture } from './architecture';
import { seedCnn } from './architectures/seed-cnn';
import { smallCnn } from './architectures/small-cnn';
import { vggLite } from './architectures/vgg-lite';

/** Every architecture the product can train; adding one is one file plus one line here. */
export const ARCHITECTURES: readonly Architecture[] = [smallCnn, vggLite, seedCnn];

export const DEFAULT_ARCHITECTURE = smallCnn.name;

export function getArchitecture(name: string): Architecture {
  const found = ARCHITECTURES.find((a) => a.name === name);
  if (!found) throw new Error(`Unknown architecture "${name}"; known: ${ARCHITECTURES.map((a) => a.name).join(', ')}`);
  return found;
}

export function architectureNames(): string[] {
  return ARCHITECTURES.map((a) => a.name);
}
