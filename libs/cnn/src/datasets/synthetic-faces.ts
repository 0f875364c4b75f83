import { EMOTIONS, type Emotion } from '@moodlab/shared';
import type { LabeledImages } from './labeled-images';
import { createRng, type Rng } from './random';

/**
 * Procedurally drawn 48x48 faces whose eyebrows, eyes and mouth differ by emotion, with
 * per-face jitter, pose (shift, rotation, scale) and noise, so that the classes overlap a little
 * and a small CNN must actually learn features. Deterministic for a seed; needs no files.
 */
interface Expression {
  /** Inner-brow height relative to outer (+ = raised inner end, as in sadness and fear). */
  browTilt: number;
  browLift: number;
  eyeOpen: number;
  /** Mouth curvature (+ = smile), openness, width, left-right asymmetry. */
  smile: number;
  mouthOpen: number;
  mouthWidth: number;
  asym: number;
}

const EXPRESSIONS: Record<Emotion, Expression> = {
  angry: { browTilt: -2.2, browLift: -1, eyeOpen: 1.4, smile: -0.8, mouthOpen: 0, mouthWidth: 9, asym: 0 },
  disgust: { browTilt: -1.2, browLift: -0.5, eyeOpen: 1.1, smile: -0.4, mouthOpen: 0, mouthWidth: 10, asym: 2.2 },
  fear: { browTilt: 1.8, browLift: 1.5, eyeOpen: 3, smile: -0.6, mouthOpen: 2, mouthWidth: 12, asym: 0 },
  happy: { browTilt: 0, browLift: 0.3, eyeOpen: 1.8, smile: 3, mouthOpen: 0.6, mouthWidth: 14, asym: 0 },
  neutral: { browTilt: 0, browLift: 0, eyeOpen: 2, smile: 0, mouthOpen: 0, mouthWidth: 11, asym: 0 },
  sad: { browTilt: 2, browLift: 0.2, eyeOpen: 1.5, smile: -2.2, mouthOpen: 0, mouthWidth: 11, asym: 0 },
  surprise: { browTilt: 0.4, browLift: 3, eyeOpen: 3.2, smile: 0, mouthOpen: 4.5, mouthWidth: 7, asym: 0 },
};

function jitter(e: Expression, rng: Rng, amount: number): Expression {
  const j = (v: number, scale: number) => v + rng.normal() * scale * amount;
  return {
    browTilt: j(e.browTilt, 0.6),
    browLift: j(e.browLift, 0.6),
    eyeOpen: Math.max(0.6, j(e.eyeOpen, 0.35)),
    smile: j(e.smile, 0.6),
    mouthOpen: Math.max(0, j(e.mouthOpen, 0.5)),
    mouthWidth: j(e.mouthWidth, 1.2),
    asym: j(e.asym, 0.5),
  };
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Anti-aliased coverage of a stroke of half-width w at distance d. */
const ink = (d: number, w: number) => Math.max(0, Math.min(1, w + 0.5 - d));

function drawFace(e: Expression, size: number, rng: Rng, out: Uint8Array, offset: number): void {
  const s = size / 48;
  const angle = rng.uniform(-0.2, 0.2);
  const scale = rng.uniform(0.9, 1.1);
  const shiftX = rng.uniform(-3, 3),
    shiftY = rng.uniform(-3, 3);
  const bg = rng.uniform(0.1, 0.5),
    skin = rng.uniform(0.6, 0.9),
    dark = rng.uniform(0.02, 0.2);
  const noise = rng.uniform(0.02, 0.08);
  const cos = Math.cos(angle),
    sin = Math.sin(angle);
  const mouthY = 34,
    mouthHalf = e.mouthWidth / 2;
  for (let yy = 0; yy < size; yy++) {
    for (let xx = 0; xx < size; xx++) {
      // Map the pixel back into the canonical 48x48 face frame.
      const cx = (xx + 0.5) / s - 24 - shiftX,
        cy = (yy + 0.5) / s - 24 - shiftY;
      const x = (cos * cx + sin * cy) / scale + 24,
        y = (-sin * cx + cos * cy) / scale + 24;
      const faceR = ((x - 24) / 17) ** 2 + ((y - 25) / 21) ** 2;
      let v = faceR <= 1 ? skin : bg;
      if (faceR <= 1.05) {
        let a = 0;
        for (const side of [-1, 1]) {
          const ex = 24 + side * 7.5;
          // Eyes: filled ellipses whose height is the openness.
          const eyeR = ((x - ex) / 3.2) ** 2 + ((y - 20) / (e.eyeOpen * 0.9)) ** 2;
          a = Math.max(a, Math.max(0, Math.min(1, (1 - eyeR) * 3)));
          // Brows: the inner end moves by browTilt, the whole brow by browLift.
          const innerX = 24 + side * 3.5,
            outerX = 24 + side * 11.5;
          const by = 15 - e.browLift;
          a = Math.max(a, ink(segmentDistance(x, y, innerX, by - e.browTilt, outerX, by + e.browTilt * 0.2), 0.9));
        }
        // Mouth: a parabola (curvature = smile, slope = asymmetry), or an open ellipse.
        if (Math.abs(x - 24) <= mouthHalf + 1) {
          const u = Math.max(-1, Math.min(1, (x - 24) / mouthHalf));
          const curveY = mouthY - e.smile * (u * u - 0.5) - e.asym * u;
          const open = e.mouthOpen;
          if (open > 0.8) {
            const r = ((x - 24) / (mouthHalf * 0.8)) ** 2 + ((y - curveY) / open) ** 2;
            a = Math.max(a, Math.max(0, Math.min(1, (1 - r) * 3)));
          }
          if (Math.abs(x - 24) <= mouthHalf) a = Math.max(a, ink(Math.abs(y - curveY), 0.8));
        }
        v = v * (1 - a) + dark * a;
      }
      v += rng.normal() * noise;
      out[offset + yy * size + xx] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
  }
}

export interface SyntheticOptions {
  perClass: number;
  size?: number;
  seed?: number;
  /** How much faces of one class vary (1 = default). */
  variability?: number;
}

export function generateSyntheticFaces({
  perClass,
  size = 48,
  seed = 1,
  variability = 1,
}: SyntheticOptions): LabeledImages {
  const rng = createRng(`synthetic-faces:${seed}`);
  const n = perClass * EMOTIONS.length;
  const images = new Uint8Array(n * size * size);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // Interleave classes so any prefix is balanced.
    const label = i % EMOTIONS.length;
    labels[i] = label;
    drawFace(jitter(EXPRESSIONS[EMOTIONS[label]!], rng, variability), size, rng, images, i * size * size);
  }
  return { size, images, labels };
}
