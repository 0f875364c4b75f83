import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMOTIONS } from '@moodlab/shared';
import { generateSyntheticFaces } from '../synthetic-faces';
import { importFer2013Csv } from './csv-import';
import { importClassFolders } from './folder-import';
import { ImportCollector } from './report';
import { importZip } from './zip-import';
import { zipSync } from 'fflate';
import { readFile, readdir } from 'node:fs/promises';

const faces = generateSyntheticFaces({ perClass: 2, seed: 5 });
const face = (i: number) => faces.images.subarray(i * 2304, (i + 1) * 2304);
const png = (pixels: Uint8Array, size = 48) =>
  sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toBuffer();
let root = '';

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'moodlab-import-'));
  const put = async (rel: string, data: Buffer | string) => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), data);
  };
  await put('train/happy/a.png', await png(face(3)));
  await put('train/happy/a-copy.png', await png(face(3))); // duplicate, same label
  await put('train/sad/b.png', await png(face(5)));
  await put('train/angry/b-conflict.png', await png(face(5))); // same pixels, other label
  await put('train/fear/leak.png', await png(face(2))); // also in validation
  await put(
    'train/neutral/big.jpg',
    await sharp({ create: { width: 96, height: 80, channels: 3, background: '#808080' } })
      .composite([{ input: await png(face(4)), left: 20, top: 10 }])
      .jpeg()
      .toBuffer(),
  );
  await put('train/neutral/blank.png', await png(new Uint8Array(2304)));
  await put('train/neutral/corrupt.jpg', 'not an image');
  await put('train/contempt/x.png', await png(face(0))); // not one of our classes
  await put('validation/fear/leak.png', await png(face(2)));
  await put('validation/surprise/c.png', await png(face(6)));
});

describe('class-folder import', () => {
  it('keeps good images at the chosen size and reports every problem', async () => {
    const progress: number[] = [];
    const { splits, report } = await importClassFolders(root, {
      classNames: EMOTIONS,
      onProgress: (d) => progress.push(d),
    });
    expect(report).toMatchObject({
      files: 10,
      duplicatesWithinSplit: 2,
      conflictingLabels: 2,
      crossSplitDuplicates: 1,
      unknownClasses: ['train/contempt'],
      kept: { train: 2, validation: 2 },
    });
    expect(report.blank.map((p) => p.file)).toEqual([path.join('train', 'neutral', 'blank.png')]);
    expect(report.undecodable.map((p) => p.file)).toEqual([path.join('train', 'neutral', 'corrupt.jpg')]);
    expect(Array.from(splits.train!.labels).map((l) => EMOTIONS[l])).toEqual(['happy', 'neutral']);
    expect(splits.train!.images.length).toBe(2 * 48 * 48);
    expect(progress.at(-1)).toBe(10);
    const at56 = await importClassFolders(root, { classNames: EMOTIONS, size: 56 });
    expect(at56.splits.validation!.images.length).toBe(2 * 56 * 56);
  });

  it('fails on the first problem when asked to', async () => {
    await expect(importClassFolders(root, { classNames: EMOTIONS, onProblem: 'fail' })).rejects.toThrow(
      /contempt|corrupt|blank/,
    );
  });

  it('says what it expected when the folder holds no images', async () => {
    await expect(importClassFolders(path.join(root, 'train', 'happy'), { classNames: EMOTIONS })).rejects.toThrow(
      /no images found/,
    );
  });
});

describe('import collector', () => {
  it('keeps the same copy of a duplicate whatever order the decodes finish in', () => {
    const collect = (order: string[]) => {
      const c = new ImportCollector(48, 'skip');
      const pixels: Record<string, Uint8Array> = { 'a.png': face(1), 'b.png': face(2), 'c.png': face(1) };
      for (const file of order) c.add('train', file, 3, pixels[file]!);
      return c.finish().splits.train!.images;
    };
    const inOrder = collect(['a.png', 'b.png', 'c.png']);
    expect(collect(['c.png', 'b.png', 'a.png'])).toEqual(inOrder);
    expect(inOrder.subarray(0, 2304)).toEqual(face(1));
  });
});

describe('zip import', () => {
  it('imports a zip of the folder layout under an enclosing folder, with the same report', async () => {
    const files: Record<string, Uint8Array> = { '__MACOSX/train/happy/._a.png': new Uint8Array([0]) };
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && !entry.name.endsWith('.csv')) {
        const full = path.join(entry.parentPath, entry.name);
        files[`fer/${path.relative(root, full)}`] = new Uint8Array(await readFile(full));
      }
    }
    const fromZip = await importZip(zipSync(files), { classNames: EMOTIONS });
    const fromFolder = await importClassFolders(root, { classNames: EMOTIONS });
    expect(fromZip.report).toMatchObject({
      files: 10,
      duplicatesWithinSplit: 2,
      conflictingLabels: 2,
      crossSplitDuplicates: 1,
      kept: { train: 2, validation: 2 },
    });
    expect(fromZip.splits.train!.images).toEqual(fromFolder.splits.train!.images);
  });

  it('refuses an archive that would inflate past its limits, before inflating it', async () => {
    const limits = { maxEntries: 3, maxEntryBytes: 1000, maxTotalBytes: 1500 };
    const zeros = (n: number) => new Uint8Array(n);
    await expect(
      importZip(zipSync({ 'train/happy/a.png': zeros(1001) }), { classNames: EMOTIONS }, limits),
    ).rejects.toThrow(/refused: train\/happy\/a.png inflates to/);
    await expect(
      importZip(
        zipSync({ 'train/happy/a.png': zeros(800), 'train/happy/b.png': zeros(800) }),
        { classNames: EMOTIONS },
        limits,
      ),
    ).rejects.toThrow(/refused: it inflates to more than/);
    const many = Object.fromEntries([1, 2, 3, 4].map((i) => [`train/happy/${i}.png`, zeros(1)]));
    await expect(importZip(zipSync(many), { classNames: EMOTIONS }, limits)).rejects.toThrow(
      /refused: more than 3 entries/,
    );
  });

  it('rejects a file that is not a zip', async () => {
    await expect(importZip(new Uint8Array([1, 2, 3, 4]), { classNames: EMOTIONS })).rejects.toThrow(
      /not a readable zip/,
    );
  });
});

describe('fer2013.csv import', () => {
  it('maps the challenge emotion codes and Usage to our labels and splits', async () => {
    const row = (emotion: number, pixels: Uint8Array, usage: string) =>
      `${emotion},${Array.from(pixels).join(' ')},${usage}`;
    const file = path.join(root, 'fer2013.csv');
    await writeFile(
      file,
      [
        'emotion,pixels,Usage',
        row(4, face(1), 'Training'),
        row(6, face(2), 'PublicTest'),
        row(3, face(3), 'PrivateTest'),
        '9,1 2 3,Training',
        row(0, face(4).subarray(0, 99), 'Training'),
        row(2, face(0).subarray(0, 576), 'Training'),
      ].join('\n'),
    );
    const { splits, report } = await importFer2013Csv(file, { classNames: EMOTIONS });
    expect(EMOTIONS[splits.train!.labels[0]!]).toBe('sad');
    expect(EMOTIONS[splits.validation!.labels[0]!]).toBe('neutral');
    expect(EMOTIONS[splits.test!.labels[0]!]).toBe('happy');
    expect(splits.train!.images.subarray(0, 2304)).toEqual(face(1));
    expect(report.undecodable).toHaveLength(2);
    expect(report.kept.train).toBe(2); // the 24x24 row, upscaled to 48
  });

  it('rejects a CSV without the expected columns', async () => {
    const file = path.join(root, 'bad.csv');
    await writeFile(file, 'root:x:0:0:root:/root:/bin/bash,b\n1,2\n');
    const error = await importFer2013Csv(file, { classNames: EMOTIONS }).catch((e: Error) => e.message);
    expect(error).toMatch(/missing column "emotion" \(the first line has 2 comma-separated fields/);
    // The message never quotes the file: imports can be pointed at files the requester may not read.
    expect(error).not.toMatch(/root:x/);
  });
});
