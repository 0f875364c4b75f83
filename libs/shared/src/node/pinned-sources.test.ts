import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PinnedSources, SourcesChangedError } from './pinned-sources';

describe('PinnedSources', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('refuses once a library source changes on disk, and ignores tests and dependencies', () => {
    root = mkdtempSync(path.join(tmpdir(), 'pinned-'));
    mkdirSync(path.join(root, 'cnn/src/training'), { recursive: true });
    mkdirSync(path.join(root, 'cnn/node_modules'), { recursive: true });
    const source = path.join(root, 'cnn/src/training/step.ts');
    writeFileSync(source, 'export const a = 1;\n');
    const pinned = new PinnedSources(root);
    expect(() => pinned.assertUnchanged()).not.toThrow();

    writeFileSync(path.join(root, 'cnn/src/training/step.test.ts'), 'test');
    writeFileSync(path.join(root, 'cnn/node_modules/dep.ts'), 'dep');
    expect(() => pinned.assertUnchanged()).not.toThrow();

    // Same size, new contents, as a checkout of another commit can leave it: the time tells.
    writeFileSync(source, 'export const b = 2;\n');
    utimesSync(source, new Date(), new Date(Date.now() + 5000));
    expect(() => pinned.assertUnchanged()).toThrow(/changed on disk after this process started/);
  });

  it('refuses when a source is added', () => {
    root = mkdtempSync(path.join(tmpdir(), 'pinned-'));
    writeFileSync(path.join(root, 'a.ts'), 'a');
    const pinned = new PinnedSources(root);
    writeFileSync(path.join(root, 'b.ts'), 'b');
    expect(() => pinned.assertUnchanged()).toThrow(/restart it/);
    expect(() => pinned.assertUnchanged()).toThrow(SourcesChangedError);
  });
});
