import { describe, expect, it } from 'vitest';
import { resumeRunRequestSchema } from './run-lifecycle';

describe('resume request', () => {
  it('changes only what is sent: no default epoch count fills in', () => {
    expect(resumeRunRequestSchema.parse({})).toEqual({});
    expect(resumeRunRequestSchema.parse({ epochs: undefined, averageLastEpochs: 6 })).toEqual({ averageLastEpochs: 6 });
    expect(() => resumeRunRequestSchema.parse({ epochs: 0 })).toThrow();
    expect(() => resumeRunRequestSchema.parse({ more: true })).toThrow();
  });
});
