/** Writes a fake-camera video with N faces: npx tsx tools/demo/make-camera-video.ts out.y4m [faces=1] */
import { composeFrame, sampleFaces } from './test-frames';
import { writeY4m } from './write-y4m';

export async function makeCameraVideo(
  file: string,
  faceCount: number,
  frames = 30,
): Promise<{ source: string; labels: string[] }> {
  const { source, faces } = await sampleFaces(faceCount);
  const frame = await composeFrame(faces);
  await writeY4m(
    file,
    Array.from({ length: frames }, () => frame),
  );
  return { source, labels: faces.map((f) => f.label) };
}

if (process.argv[1]?.endsWith('make-camera-video.ts')) {
  const [file = 'camera.y4m', n = '1'] = process.argv.slice(2);
  console.log(await makeCameraVideo(file, Number(n)));
}
