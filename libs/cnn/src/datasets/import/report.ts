import { createHash } from 'node:crypto';
import type { ImportProblem, ImportReport } from '@moodlab/shared';
import type { LabeledImages } from '../labeled-images';

/**
 * Collects decoded images per split and everything wrong with them, then decides what to keep:
 * corrupt and blank images are dropped, exact duplicates within a split are kept once (all
 * copies dropped when their labels conflict), and images that also appear in an evaluation
 * split are dropped from train so that validation scores are not inflated.
 */
export type ProblemPolicy = 'skip' | 'fail';

export type { ImportProblem, ImportReport } from '@moodlab/shared';

interface Entry {
  file: string;
  label: number;
  pixels: Uint8Array;
  hash: string;
}

export class ImportCollector {
  private readonly entries = new Map<string, Entry[]>();
  readonly undecodable: ImportProblem[] = [];
  readonly blank: ImportProblem[] = [];
  readonly unknownClasses = new Set<string>();
  files = 0;

  constructor(
    readonly size: number,
    readonly policy: ProblemPolicy,
  ) {}

  private problem(list: ImportProblem[], p: ImportProblem): void {
    if (this.policy === 'fail')
      throw new Error(`${p.file}: ${p.reason} (import with on-problem=skip to skip such files)`);
    list.push(p);
  }

  unknownClass(name: string): void {
    if (this.policy === 'fail') throw new Error(`unknown class folder "${name}"`);
    this.unknownClasses.add(name);
  }

  undecodableFile(file: string, reason: string): void {
    this.files++;
    this.problem(this.undecodable, { file, reason });
  }

  add(split: string, file: string, label: number, pixels: Uint8Array): void {
    if (pixels.length !== this.size * this.size)
      throw new Error(`${file}: decoded to ${pixels.length} bytes, expected ${this.size}x${this.size}`);
    this.files++;
    let min = 255,
      max = 0;
    for (const p of pixels) {
      if (p < min) min = p;
      if (p > max) max = p;
    }
    // Nearly uniform images (FER2013 has a dozen all-black or all-white ones) carry no face.
    if (max - min < 8) {
      this.problem(this.blank, { file, reason: `blank (all pixels within ${min}..${max})` });
      return;
    }
    const hash = createHash('sha1').update(pixels).digest('hex');
    const list = this.entries.get(split) ?? [];
    list.push({ file, label, pixels, hash });
    this.entries.set(split, list);
  }

  finish(): { splits: Record<string, LabeledImages>; report: ImportReport } {
    let duplicatesWithinSplit = 0,
      conflictingLabels = 0,
      crossSplitDuplicates = 0;
    const kept = new Map<string, Entry[]>();
    for (const [split, list] of this.entries) {
      const byHash = new Map<string, Entry[]>();
      for (const e of list) byHash.set(e.hash, [...(byHash.get(e.hash) ?? []), e]);
      const out: Entry[] = [];
      for (const group of byHash.values()) {
        if (group.length > 1) duplicatesWithinSplit += group.length - 1;
        if (new Set(group.map((e) => e.label)).size > 1) {
          conflictingLabels += group.length;
          continue;
        }
        // The copy with the first file name, so which copy is kept (and so the pack and its
        // digest) does not depend on the order in which concurrent decodes finished.
        out.push(group.reduce((a, b) => (b.file < a.file ? b : a)));
      }
      kept.set(split, out);
    }
    const heldOut = new Set<string>();
    for (const [split, list] of kept) if (split !== 'train') for (const e of list) heldOut.add(e.hash);
    const train = kept.get('train');
    if (train) {
      const filtered = train.filter((e) => !heldOut.has(e.hash));
      crossSplitDuplicates = train.length - filtered.length;
      kept.set('train', filtered);
    }
    const px = this.size * this.size;
    const splits: Record<string, LabeledImages> = {};
    for (const [split, list] of kept) {
      // File order makes the pack (and its digest) independent of decoding order.
      list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      const images = new Uint8Array(list.length * px);
      const labels = new Uint8Array(list.length);
      list.forEach((e, i) => {
        images.set(e.pixels, i * px);
        labels[i] = e.label;
      });
      splits[split] = { size: this.size, images, labels };
    }
    return {
      splits,
      report: {
        files: this.files,
        kept: Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, v.labels.length])),
        undecodable: this.undecodable,
        blank: this.blank,
        unknownClasses: [...this.unknownClasses],
        duplicatesWithinSplit,
        conflictingLabels,
        crossSplitDuplicates,
      },
    };
  }
}
