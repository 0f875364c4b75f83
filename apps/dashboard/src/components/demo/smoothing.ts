import type { FacePrediction } from '@moodlab/faces';

/**
 * Per-face exponential smoothing of the class probabilities across frames, so labels do not
 * flicker: each face is matched to the nearest face of the previous frame (by box centre,
 * within half a box width); unmatched faces start fresh.
 */
export interface Track {
  box: FacePrediction['box'];
  scores: Record<string, number>;
}

export function smoothTracks(previous: Track[], current: FacePrediction[], alpha: number): Track[] {
  const used = new Set<number>();
  return current.map((face) => {
    const cx = face.box.x + face.box.width / 2,
      cy = face.box.y + face.box.height / 2;
    let best = -1,
      bestDist = face.box.width / 2;
    previous.forEach((t, i) => {
      if (used.has(i)) return;
      const d = Math.hypot(t.box.x + t.box.width / 2 - cx, t.box.y + t.box.height / 2 - cy);
      if (d < bestDist) {
        best = i;
        bestDist = d;
      }
    });
    if (best < 0) return { box: face.box, scores: face.scores };
    used.add(best);
    const prev = previous[best]!.scores;
    return {
      box: face.box,
      scores: Object.fromEntries(
        Object.entries(face.scores).map(([k, v]) => [k, alpha * v + (1 - alpha) * (prev[k] ?? v)]),
      ),
    };
  });
}

export function topLabel(scores: Record<string, number>): string {
  return Object.entries(scores).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}
