import { describe, expect, it } from 'vitest';
import { DETECTOR_FRAMING } from './detector';
import { frameFace } from './framing';

describe('frameFace', () => {
  it("maps a detector's box onto a square of the training framing: scaled from its width, its centre shifted", () => {
    expect(frameFace({ x: 100, y: 200, width: 100, height: 90 }, { scale: 0.9, dx: 0.1, dy: -0.2 })).toEqual({
      x: 115,
      y: 182,
      width: 90,
      height: 90,
    });
  });

  it('leaves the box as it is without a framing', () => {
    const box = { x: 1, y: 2, width: 3, height: 4 };
    expect(frameFace(box, null)).toBe(box);
  });

  it("frames the tiny detector's boxes higher than their centre: its boxes sit below the face", () => {
    const framed = frameFace({ x: 0, y: 0, width: 200, height: 180 }, DETECTOR_FRAMING.tiny);
    expect(framed.y + framed.height / 2).toBeLessThan(90);
    expect(framed.width).toBeLessThan(200);
  });
});
