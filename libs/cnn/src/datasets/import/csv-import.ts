import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { ImportCollector, type ProblemPolicy } from './report';
import type { ImportResult } from './folder-import';

const USAGE: Record<string, string> = { Training: 'train', PublicTest: 'validation', PrivateTest: 'test' };

/**
 * Imports the original fer2013.csv (emotion, pixels, Usage). Its emotion codes follow the
 * challenge's order (0 Angry, 1 Disgust, 2 Fear, 3 Happy, 4 Sad, 5 Surprise, 6 Neutral), which
 * differs from ours, so they are mapped by name.
 */
const CSV_CLASS_NAMES = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

export async function importFer2013Csv(
  file: string,
  opts: {
    classNames: readonly string[];
    size?: number;
    onProblem?: ProblemPolicy;
    onProgress?: (rows: number) => void;
  },
): Promise<ImportResult> {
  const size = opts.size ?? 48;
  const collector = new ImportCollector(size, opts.onProblem ?? 'skip');
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let row = 0;
  let header: string[] | null = null;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const cells = line.split(',');
    if (!header) {
      header = cells.map((c) => c.trim().toLowerCase());
      for (const col of ['emotion', 'pixels', 'usage'])
        if (!header.includes(col))
          throw new Error(
            `${file}: missing column "${col}" (the first line has ${header.length} comma-separated fields; a FER2013 CSV starts with "emotion,pixels,Usage")`,
          );
      continue;
    }
    row++;
    const name = `${file}:${row + 1}`;
    const get = (col: string) => cells[header!.indexOf(col)]?.trim() ?? '';
    const split = USAGE[get('usage')];
    const cls = CSV_CLASS_NAMES[Number(get('emotion'))];
    const label = cls ? opts.classNames.indexOf(cls) : -1;
    if (!split || label < 0) {
      collector.undecodableFile(name, `unknown Usage "${get('usage')}" or emotion "${get('emotion')}"`);
      continue;
    }
    const values = get('pixels').split(/\s+/).map(Number);
    const side = Math.round(Math.sqrt(values.length));
    if (side * side !== values.length || values.some((v) => !(v >= 0 && v <= 255))) {
      collector.undecodableFile(name, `pixels are not a square grid of 0..255 values (${values.length} values)`);
      continue;
    }
    let pixels = Uint8Array.from(values);
    if (side !== size)
      pixels = new Uint8Array(
        await sharp(Buffer.from(pixels), { raw: { width: side, height: side, channels: 1 } })
          .resize(size, size)
          .extractChannel(0)
          .raw()
          .toBuffer(),
      );
    collector.add(split, name, label, pixels);
    opts.onProgress?.(row);
  }
  return collector.finish();
}
