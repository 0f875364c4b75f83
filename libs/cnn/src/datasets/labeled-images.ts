/** Images of one split, packed as uint8 (N x size x size, row-major) with one label index each. */
export interface LabeledImages {
  size: number;
  images: Uint8Array;
  labels: Uint8Array;
}

export function classCounts(split: LabeledImages, classNames: readonly string[]): Record<string, number> {
  const counts = Object.fromEntries(classNames.map((c) => [c, 0]));
  for (const l of split.labels) counts[classNames[l]!]! += 1;
  return counts;
}
