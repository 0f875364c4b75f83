import type { Box } from './crop';

/** Intersection over union of two boxes. */
export function boxIou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

/**
 * The detection that best overlaps a known face, if any overlaps it by more than `minIou` (a box
 * elsewhere is a miss): how benchmarks and data tools match detections to the faces they placed.
 */
export function bestMatch<T extends { box: Box }>(found: readonly T[], truth: Box, minIou = 0.2): T | undefined {
  return found
    .filter((d) => boxIou(d.box, truth) > minIou)
    .sort((a, b) => boxIou(b.box, truth) - boxIou(a.box, truth))[0];
}
