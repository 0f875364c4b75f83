import type { ArchitectureName } from '@moodlab/shared';
import type { Architecture } from './architecture';
import { seedCnn } from './architectures/seed-cnn';
import { smallCnn } from './architectures/small-cnn';
import { vggLite, vggWide } from './architectures/vgg-lite';

/**
 * Every architecture the product can train, keyed by its name in `ARCHITECTURE_NAMES`
 * (`@moodlab/shared`): adding one is one file, one line here and its name there.
 */
export const ARCHITECTURES: Readonly<Record<ArchitectureName, Architecture>> = {
  'small-cnn': smallCnn,
  'vgg-lite': vggLite,
  'vgg-wide': vggWide,
  'seed-cnn': seedCnn,
};

export function getArchitecture(name: string): Architecture {
  const found = Object.values(ARCHITECTURES).find((a) => a.name === name);
  if (!found) throw new Error(`Unknown architecture "${name}"; known: ${Object.keys(ARCHITECTURES).join(', ')}`);
  return found;
}
