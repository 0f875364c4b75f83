/**
 * The live pipeline's accuracy as users meet it: FER2013 validation faces (../shared) pasted into
 * 640x480 gray frames, one a frame at face sizes 96, 192 and 320 px and several positions and four a
 * frame (2x2) at 96 and 192 px, then detected
 * (tiny detector, auto input size) and classified by the shipped model as the server does, with
 * the detector's boxes framed as the training crops are (DETECTOR_FRAMING) and raw; the model on
 * the exact pasted square for reference, and face-api's own expression classifier on the same
 * detections side by side. Prints tables; not a test.
 *   npx tsx tools/bench/pipeline-accuracy.ts [--per-class 40] [--split validation] [--model BUNDLE_DIR] [--calibrate] [--noise 8]
 * --noise SIGMA adds Gaussian noise of that many gray levels to every pixel of every frame, as a
 * webcam's sensor does; the pasted faces are otherwise smoother than any camera's.
 * --calibrate prints the framing (scale, dx, dy) that maps the detector's boxes onto the pasted
 * faces; fit it on --split train, so that the figures on validation are out of sample.
 * --no-flip classifies each crop alone, without its mirror image; --min-score S detects at one
 * score threshold (the old behaviour: 0.4) instead of falling back to a lower one.
 * --write-card adds the figures to the measured bundle's card (card.json and README.md); a model
 * registered from it carries them.
 * --browser URL also sends every frame through the browser path: the /demo page of the dashboard
 * at URL, in Debian's Chromium, runs its own pipeline on it (window.moodlabDemo.classifyImage: the
 * image decoded by the browser, its TF.js backend, the promoted model).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { z } from 'zod';
import { chromium, type Page } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { artifactMetaFromLayersModelJson, loadInferenceModel } from '@moodlab/cnn/inference';
import { selectBackend } from '@moodlab/cnn/backend';
import {
  AUTO_FALLBACK_MIN_SCORE,
  bestMatch,
  classifyFaces,
  DEFAULT_MIN_SCORE,
  DETECTOR_FRAMING,
  detectFaces,
  facePredictionSchema,
  frameFace,
  type Box,
  type Framing,
} from '@moodlab/faces';
import { FACE_MODELS_DIR, loadNodeFaceApi } from '@moodlab/faces/node';
import { readModelBundle, writePipelineFigures } from '@moodlab/runs';
import { formatPercent, EMOTIONS, type PipelineFigures } from '@moodlab/shared';
import { createRng, shuffledIndices, type Rng } from '@moodlab/cnn/datasets';
import { SHIPPED_MODEL_DIR } from '../seed/default-model';
import { FER_VALIDATION, grayFrameWith } from '../demo/test-frames';
import { printMachine } from './machine';

const { values } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '40' },
    split: { type: 'string', default: 'validation' },
    calibrate: { type: 'boolean', default: false },
    model: { type: 'string' },
    browser: { type: 'string' },
    noise: { type: 'string', default: '0' },
    'no-flip': { type: 'boolean', default: false },
    'min-score': { type: 'string' },
    'write-card': { type: 'boolean', default: false },
  },
});
/** Whether our pipeline averages each face with its mirror (classifyFaces' default) or not (--no-flip). */
const FLIP = !values['no-flip'];
/** --min-score S: one score threshold at every input size, instead of the 'auto' fallback to a lower one. */
const MIN_SCORE = values['min-score'] === undefined ? undefined : Number(values['min-score']);
/** Standard deviation of the sensor noise added to every frame, in gray levels (a webcam's grain). */
const NOISE = Number(values.noise);
const SPLIT_DIR = path.join(path.dirname(FER_VALIDATION), values.split!);
if (!existsSync(SPLIT_DIR)) {
  console.log(`skipped: ${SPLIT_DIR} is absent (the benchmark needs the FER2013 faces in ../shared)`);
  process.exit(0);
}
const perClass = Number(values['per-class']);
const backend = await selectBackend({ prefer: 'wasm', threads: 1, measureGemm: true });
printMachine(backend);
const api = await loadNodeFaceApi(['tiny']);
/** face-api's own expression pipeline, for the side-by-side column: its classifier on its detector's box. */
interface FaceApiExpressions {
  nets: {
    faceExpressionNet: {
      loadFromDisk(dir: string): Promise<void>;
      predictExpressions(face: tf.Tensor3D): Promise<Record<string, number>>;
    };
  };
  Rect: new (x: number, y: number, w: number, h: number) => unknown;
  extractFaceTensors(image: tf.Tensor3D, boxes: unknown[]): Promise<tf.Tensor3D[]>;
}
const faceApi = (await import('@vladmandic/face-api/dist/face-api.node-wasm.js')) as unknown as {
  default?: FaceApiExpressions;
} & FaceApiExpressions;
const expressions = faceApi.default ?? faceApi;
await expressions.nets.faceExpressionNet.loadFromDisk(FACE_MODELS_DIR);
/** face-api's expression names in our labels. */
const FACE_API_LABELS: Record<string, string> = {
  angry: 'angry',
  disgusted: 'disgust',
  fearful: 'fear',
  happy: 'happy',
  neutral: 'neutral',
  sad: 'sad',
  surprised: 'surprise',
};
async function faceApiLabel(image: tf.Tensor3D, box: Box): Promise<string> {
  const [face] = await expressions.extractFaceTensors(image, [
    new expressions.Rect(box.x, box.y, box.width, box.height),
  ]);
  const scores = await expressions.nets.faceExpressionNet.predictExpressions(face!);
  face!.dispose();
  const best = Object.entries(scores)
    .filter(([k]) => k in FACE_API_LABELS)
    .sort((a, b) => b[1] - a[1])[0]![0];
  return FACE_API_LABELS[best]!;
}

const bundle = await readModelBundle(values.model ?? SHIPPED_MODEL_DIR);
const { model, metadata } = await loadInferenceModel(artifactMetaFromLayersModelJson(bundle.modelJson), bundle.weights);

/** Every k-th file of each class, so that the sample spreads over the split. */
const faces = EMOTIONS.flatMap((label) => {
  const files = readdirSync(path.join(SPLIT_DIR, label)).sort();
  const step = Math.max(1, Math.floor(files.length / perClass));
  return files
    .filter((_, i) => i % step === 0)
    .slice(0, perClass)
    .map((f) => ({ label, file: path.join(SPLIT_DIR, label, f) }));
});

/** Positions of the face's top-left corner as fractions of the free room: centre, and off to each side. */
const POSITIONS = [
  [0.5, 0.5],
  [0.15, 0.3],
  [0.85, 0.7],
] as const;

let framesMade = 0;
/** Four frames' worth of noise (640x480x3 values each). */
const NOISE_FIELD = 4 * 640 * 480 * 3;
let noiseField: Float32Array | Int32Array | Uint8Array | undefined;
/** Faces pasted at `size` px into one gray 640x480 frame, each at its place (fractions of the free room). */
async function frameWith(
  files: string[],
  size: number,
  places: readonly (readonly [number, number])[],
): Promise<{ tensor: tf.Tensor3D; truths: Box[]; png: Buffer | null }> {
  const truths = places.map(([fx, fy]) => ({
    x: Math.round((640 - size) * fx),
    y: Math.round((480 - size) * fy),
    width: size,
    height: size,
  }));
  const faces = await Promise.all(
    files.map((f) => sharp(f).resize(size, size, { kernel: 'cubic' }).grayscale().toBuffer()),
  );
  const rgb = await grayFrameWith(faces.map((input, i) => ({ input, left: truths[i]!.x, top: truths[i]!.y })));
  if (NOISE > 0) {
    // A window of one seeded noise field, moved for each frame: the same noise every run and for
    // every crop method, without drawing 921,600 normals a frame (TF.js draws them in JS, ~1 s).
    noiseField ??= tf.tidy(() => tf.randomNormal([NOISE_FIELD], 0, NOISE, 'float32', 7).dataSync());
    const at = (++framesMade * 7919 * 3) % (NOISE_FIELD - rgb.length);
    for (let i = 0; i < rgb.length; i++) rgb[i] = Math.max(0, Math.min(255, Math.round(rgb[i]! + noiseField[at + i]!)));
  }
  const png = values.browser
    ? await sharp(rgb, { raw: { width: 640, height: 480, channels: 3 } })
        .png()
        .toBuffer()
    : null;
  return { tensor: tf.tensor3d(new Uint8Array(rgb), [480, 640, 3], 'int32'), truths, png };
}

/** Four faces a frame, one in each quadrant, as a group photo or several people at a webcam give. */
const GRID_2X2 = [
  [0.08, 0.08],
  [0.92, 0.08],
  [0.08, 0.92],
  [0.92, 0.92],
] as const;
/** Layouts and the face sizes each fits in a 640x480 frame. */
const LAYOUTS = [
  { name: 'one face', perFrame: 1, sizes: [96, 192, 320] },
  { name: '2x2 faces', perFrame: 4, sizes: [96, 192] },
] as const;

/** The /demo page in Chromium, ready to run its own pipeline on an image (its model loaded). */
async function openBrowserPipeline(base: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
  const page = await browser.newPage();
  await page.goto(`${base}/demo`);
  await page.waitForFunction(
    () => 'moodlabDemo' in window && document.querySelector('[data-testid="model-select"]') !== null,
    null,
    { timeout: 120_000 },
  );
  return { page, close: () => browser.close() };
}
/** What the page's classifyImage returns. */
const browserResultSchema = z.object({ modelVersion: z.number().int(), faces: z.array(facePredictionSchema) });
/** The page's pipeline on one frame; retried while the page is still loading its model. */
async function browserPipeline(page: Page, png: Buffer): Promise<z.infer<typeof browserResultSchema>> {
  const url = `data:image/png;base64,${png.toString('base64')}`;
  for (let tries = 0; ; tries++) {
    try {
      const result: unknown = await page.evaluate(
        (u) =>
          (
            window as unknown as { moodlabDemo: { classifyImage(u: string): Promise<unknown> } }
          ).moodlabDemo.classifyImage(u),
        url,
      );
      return browserResultSchema.parse(result);
    } catch (err) {
      if (tries > 60 || !String(err).includes('not loaded yet')) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
const browserSide = values.browser ? await openBrowserPipeline(values.browser) : null;
let browserModel: number | null = null;

const label = (t: tf.Tensor3D, box: Box) =>
  classifyFaces(model, metadata, t, [{ box, score: 1 }], { flip: FLIP })[0]!.label;
/** The label with the crop scaled down by bilinear samples alone, as the pipeline did before area averaging. */
const bilinearLabel = (t: tf.Tensor3D, box: Box) =>
  classifyFaces(model, metadata, t, [{ box, score: 1 }], { sampling: 'bilinear', flip: FLIP })[0]!.label;
interface Outcome {
  layout: string;
  truth: string;
  exact: string;
  raw: string | null;
  framed: string | null;
  /** The same framed box with the crop scaled down by bilinear samples only. */
  framedBilinear: string | null;
  faceApi: string | null;
  /** The browser path's label for this face, null when it found no face there (or was not asked). */
  browser: string | null;
  rawBox: Box | null;
  truthBox: Box;
  size: number;
}
const outcomes: Outcome[] = [];
const t0 = Date.now();
for (const layout of LAYOUTS) {
  for (const size of layout.sizes) {
    for (let i = 0; i + layout.perFrame <= faces.length; i += layout.perFrame) {
      const group = faces.slice(i, i + layout.perFrame);
      const places = layout.perFrame === 1 ? [POSITIONS[i % POSITIONS.length]!] : GRID_2X2;
      const { tensor, truths, png } = await frameWith(
        group.map((f) => f.file),
        size,
        places,
      );
      const detections = await detectFaces(api, tensor, {
        kind: 'tiny',
        inputSize: 'auto',
        framing: null,
        minScore: MIN_SCORE,
      });
      const inBrowser = browserSide && png ? await browserPipeline(browserSide.page, png) : null;
      if (inBrowser) browserModel = inBrowser.modelVersion;
      for (const [j, f] of group.entries()) {
        const truth = truths[j]!;
        const best = bestMatch(detections, truth);
        outcomes.push({
          layout: layout.name,
          truth: f.label,
          exact: label(tensor, truth),
          size,
          truthBox: truth,
          rawBox: best?.box ?? null,
          raw: best ? label(tensor, best.box) : null,
          framed: best ? label(tensor, frameFace(best.box, DETECTOR_FRAMING.tiny)) : null,
          framedBilinear: best ? bilinearLabel(tensor, frameFace(best.box, DETECTOR_FRAMING.tiny)) : null,
          faceApi: best ? await faceApiLabel(tensor, best.box) : null,
          browser: inBrowser ? (bestMatch(inBrowser.faces, truth)?.label ?? null) : null,
        });
      }
      tensor.dispose();
    }
  }
}
await browserSide?.close();

/**
 * Frames with no face that still look like one up close: each face cut into 6x6 tiles, shuffled
 * (seeded), pasted at 192 px. A box found there is a false face; counted with the detector's
 * default score alone and with the 'auto' fallback to a lower one.
 */
async function scrambledFrame(file: string, rng: Rng): Promise<tf.Tensor3D> {
  const tiles = 6,
    cell = 8;
  const src = await sharp(file).grayscale().resize(48, 48).raw().toBuffer();
  const order = shuffledIndices(tiles * tiles, rng);
  const out = Buffer.alloc(48 * 48);
  order.forEach((from, to) => {
    const [fx, fy, tx, ty] = [
      (from % tiles) * cell,
      Math.floor(from / tiles) * cell,
      (to % tiles) * cell,
      Math.floor(to / tiles) * cell,
    ];
    for (let y = 0; y < cell; y++) src.copy(out, (ty + y) * 48 + tx, (fy + y) * 48 + fx, (fy + y) * 48 + fx + cell);
  });
  const face = await sharp(out, { raw: { width: 48, height: 48, channels: 1 } })
    .resize(192, 192, { kernel: 'cubic' })
    .png()
    .toBuffer();
  const rgb = await grayFrameWith([{ input: face, left: 224, top: 144 }]);
  return tf.tensor3d(new Uint8Array(rgb), [480, 640, 3], 'int32');
}
const falseFaces = { strict: 0, fallback: 0 };
const scrambleRng = createRng('scrambled-faces');
for (const f of faces) {
  const tensor = await scrambledFrame(f.file, scrambleRng);
  if ((await detectFaces(api, tensor, { kind: 'tiny', inputSize: 'auto', minScore: DEFAULT_MIN_SCORE })).length)
    falseFaces.strict++;
  if ((await detectFaces(api, tensor, { kind: 'tiny', inputSize: 'auto' })).length) falseFaces.fallback++;
  tensor.dispose();
}
const ratio = (n: number, d: number) => (d ? n / d : 0);
const pct = (n: number, d: number) => formatPercent(d ? n / d : null, 1, '-');
const setup =
  `${faces.length} FER2013 ${values.split} faces (${perClass} a class), one a frame at 3 positions and four a frame (2x2); ` +
  `tiny detector (auto input size, ${MIN_SCORE === undefined ? `score ${DEFAULT_MIN_SCORE} then ${AUTO_FALLBACK_MIN_SCORE}` : `score ${MIN_SCORE}`}); ${FLIP ? 'flip TTA' : 'no flip TTA'}; noise ${NOISE} gray levels`;
console.log(`${setup}; ${values.model ?? 'shipped'} model; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(
  `faceless frames (each face cut into 6x6 tiles and shuffled, 192 px): a false face in ${falseFaces.strict} of ${faces.length} at score ${DEFAULT_MIN_SCORE}, ` +
    `in ${falseFaces.fallback} with the fallback to ${AUTO_FALLBACK_MIN_SCORE}`,
);
/** Each layout and face size's outcomes, counted once for the table and the card. */
const groups = LAYOUTS.flatMap((layout) =>
  layout.sizes.map((size) => {
    const rows = outcomes.filter((o) => o.size === size && o.layout === layout.name);
    const detected = rows.filter((o) => o.rawBox);
    return {
      layout: layout.name,
      size,
      rows,
      detected,
      exact: rows.filter((o) => o.exact === o.truth).length,
      framedRight: detected.filter((o) => o.framed === o.truth).length,
      faceApiRight: detected.filter((o) => o.faceApi === o.truth).length,
    };
  }),
);
console.table(
  groups.map(({ layout, size, rows, detected, exact, framedRight, faceApiRight }) => {
    return {
      layout,
      'face px': size,
      faces: rows.length,
      detected: pct(detected.length, rows.length),
      'exact crops': pct(exact, rows.length),
      'detected, raw box': pct(detected.filter((o) => o.raw === o.truth).length, detected.length),
      'detected, framed': pct(framedRight, detected.length),
      'detected, framed, bilinear crop': pct(
        detected.filter((o) => o.framedBilinear === o.truth).length,
        detected.length,
      ),
      'overall, framed': pct(framedRight, rows.length),
      'face-api, detected': pct(faceApiRight, detected.length),
      'face-api, overall': pct(faceApiRight, rows.length),
      ...(browserSide && {
        'browser: detected': pct(rows.filter((o) => o.browser).length, rows.length),
        'browser: of detected': pct(
          rows.filter((o) => o.browser === o.truth).length,
          rows.filter((o) => o.browser).length,
        ),
        'browser: overall': pct(rows.filter((o) => o.browser === o.truth).length, rows.length),
      }),
    };
  }),
);
if (browserSide)
  console.log(
    `browser path: the dashboard at ${values.browser}, its promoted model v${browserModel ?? '?'}; its boxes are framed (DETECTOR_FRAMING), matched to a face at IoU > 0.2`,
  );
const at192 = outcomes.filter((o) => o.size === 192 && o.rawBox && o.layout === 'one face');
/** Faces the browser path found at 192 px, one a frame (its own detections, not the server's). */
const inBrowserAt192 = outcomes.filter((o) => o.size === 192 && o.browser && o.layout === 'one face');
console.log('per-class recall of detected faces at 192 px, one face a frame');
console.table(
  EMOTIONS.map((c) => {
    const rows = at192.filter((o) => o.truth === c);
    return {
      class: c,
      detected: rows.length,
      'exact crops': pct(rows.filter((o) => o.exact === c).length, rows.length),
      raw: pct(rows.filter((o) => o.raw === c).length, rows.length),
      framed: pct(rows.filter((o) => o.framed === c).length, rows.length),
      'face-api': pct(rows.filter((o) => o.faceApi === c).length, rows.length),
      ...(browserSide && {
        browser: pct(
          inBrowserAt192.filter((o) => o.truth === c && o.browser === c).length,
          inBrowserAt192.filter((o) => o.truth === c).length,
        ),
      }),
    };
  }),
);

if (values['write-card']) {
  const figures: PipelineFigures = {
    measuredAt: new Date().toISOString().slice(0, 10),
    setup: `${setup}; framed boxes (DETECTOR_FRAMING); \`npx tsx tools/bench/pipeline-accuracy.ts --per-class ${perClass}\``,
    rows: groups.map(({ layout, size, rows, detected, exact, framedRight, faceApiRight }) => ({
      layout,
      facePx: size,
      faces: rows.length,
      detected: ratio(detected.length, rows.length),
      exactCrops: ratio(exact, rows.length),
      ofDetected: ratio(framedRight, detected.length),
      overall: ratio(framedRight, rows.length),
      faceApiOfDetected: ratio(faceApiRight, detected.length),
      faceApiOverall: ratio(faceApiRight, rows.length),
    })),
    recallAt192: Object.fromEntries(
      EMOTIONS.map((c) => {
        const rows = at192.filter((o) => o.truth === c);
        return [c, rows.length ? ratio(rows.filter((o) => o.framed === c).length, rows.length) : null];
      }),
    ),
  };
  const dir = values.model ?? SHIPPED_MODEL_DIR;
  await writePipelineFigures(dir, figures);
  console.log(`figures written to the card in ${dir}`);
}

if (values.calibrate) {
  // The pasted square relative to the detector's box: its side over the box's width, and its
  // centre's offset in box widths and heights.
  const detected = outcomes.filter((o) => o.rawBox && o.layout === 'one face');
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
  const stats = (f: (o: Outcome) => number) => {
    const xs = detected.map(f);
    return { median: median(xs), p10: q(xs, 0.1), p90: q(xs, 0.9) };
  };
  const scale = stats((o) => o.truthBox.width / o.rawBox!.width);
  const dx = stats(
    (o) => (o.truthBox.x + o.truthBox.width / 2 - (o.rawBox!.x + o.rawBox!.width / 2)) / o.rawBox!.width,
  );
  const dy = stats(
    (o) => (o.truthBox.y + o.truthBox.height / 2 - (o.rawBox!.y + o.rawBox!.height / 2)) / o.rawBox!.height,
  );
  const aspect = stats((o) => o.rawBox!.height / o.rawBox!.width);
  console.table({ scale, dx, dy, 'box height / width': aspect });
  const framing: Framing = {
    scale: Number(scale.median.toFixed(3)),
    dx: Number(dx.median.toFixed(3)),
    dy: Number(dy.median.toFixed(3)),
  };
  console.log(`tiny: ${JSON.stringify(framing)}`);
}
