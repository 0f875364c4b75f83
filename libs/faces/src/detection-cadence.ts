/**
 * When the live page runs the face detector. Detection costs about ten times what classifying a
 * face does (tools/bench/demo.ts), and faces move little from one camera frame to the next, so
 * the page detects every `every` frames and classifies the faces at their last boxes in between.
 * While no face is known it detects on every frame, so a face that appears is found at once.
 */
export class DetectionCadence {
  private framesSinceDetection = Number.POSITIVE_INFINITY;

  constructor(public every: number) {
    if (!Number.isInteger(every) || every < 1)
      throw new Error(`detection cadence must be a whole number of frames >= 1, got ${every}`);
  }

  /** Whether to detect on this frame, given how many faces the last detection found. */
  next(knownFaces: number): boolean {
    const detect = knownFaces === 0 || this.framesSinceDetection + 1 >= this.every;
    this.framesSinceDetection = detect ? 0 : this.framesSinceDetection + 1;
    return detect;
  }
}
