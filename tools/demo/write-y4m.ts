import { createWriteStream } from 'node:fs';

/**
 * A YUV4MPEG2 video (Chromium's fake camera input) from grayscale frames: the Y plane is the
 * frame, the 4:2:0 chroma planes are neutral. Written directly, so no ffmpeg is needed.
 */
export async function writeY4m(file: string, frames: Buffer[], width = 640, height = 480, fps = 15): Promise<void> {
  const out = createWriteStream(file);
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  out.write(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  for (const f of frames) {
    if (f.length !== width * height) throw new Error(`frame has ${f.length} bytes, expected ${width * height}`);
    out.write('FRAME\n');
    out.write(f);
    out.write(chroma);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
