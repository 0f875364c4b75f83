import sharp from 'sharp';

/** Any image sharp reads, as size x size uint8 grayscale (center crop when not square). */
export async function decodeGray(input: string | Buffer, size: number): Promise<Uint8Array> {
  const { data, info } = await sharp(input, { failOn: 'error' })
    .grayscale()
    .resize(size, size, { fit: 'cover' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected 1 channel after grayscale, got ${info.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
