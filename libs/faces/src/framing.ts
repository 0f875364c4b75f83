import type { Box } from './crop';

/**
 * Where a detector's box sits relative to the face as the training crops frame it (FER2013: a
 * tight square from brows to chin): the face is a square of `scale` times the box's width,
 * centred `dx` box widths right of and `dy` box heights below the box's centre. Learned by
 * `tools/bench/pipeline-accuracy.ts --calibrate` from FER validation faces pasted into frames
 * at several sizes and positions (medians; the tool prints them and the spread).
 */
export interface Framing {
  scale: number;
  dx: number;
  dy: number;
}

/** The training-framed square for a detector's box. */
export function frameFace(box: Box, f: Framing | null): Box {
  if (!f) return box;
  const side = box.width * f.scale;
  const cx = box.x + box.width / 2 + f.dx * box.width,
    cy = box.y + box.height / 2 + f.dy * box.height;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}
