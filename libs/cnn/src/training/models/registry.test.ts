import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_NAMES } from '@moodlab/shared';
import { ARCHITECTURES, getArchitecture } from './registry';

describe('architecture registry', () => {
  it('holds exactly the names the form and the API offer, each under its own name', () => {
    expect(Object.keys(ARCHITECTURES).sort()).toEqual([...ARCHITECTURE_NAMES].sort());
    for (const name of ARCHITECTURE_NAMES) expect(getArchitecture(name).name).toBe(name);
  });

  it('names the known ones when asked for an unknown one', () => {
    expect(() => getArchitecture('resnet-900')).toThrow(/Unknown architecture "resnet-900"; known: small-cnn/);
  });
});
