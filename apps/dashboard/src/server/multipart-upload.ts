import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import busboy from 'busboy';
import { HttpError } from './http-error';

/**
 * A multipart request's text fields and its one file, streamed: the file's bytes go to `store` as
 * they arrive, and nothing holds the whole upload (busboy parses; Next's formData() would buffer
 * it). The fields must come before the file, so that the request can be checked (and refused)
 * before anything is stored; browsers and curl send parts in the order they are given.
 */
export async function streamUpload<T>(
  req: Request,
  fileField: string,
  store: (fields: Record<string, string>, file: { name: string; stream: AsyncIterable<Uint8Array> }) => Promise<T>,
): Promise<T> {
  if (!req.body) throw new HttpError(400, 'empty request body');
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: Object.fromEntries(req.headers),
      limits: { files: 1, fields: 20, fieldSize: 4096 },
    });
  } catch {
    throw new HttpError(400, 'malformed multipart body');
  }
  const fields: Record<string, string> = {};
  const outcome = new Promise<T>((resolve, reject) => {
    let stored: Promise<T> | null = null;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== fileField || stored) {
        stream.resume();
        return;
      }
      // Through a promise, so that a check that throws at once is a refusal like any other.
      stored = Promise.resolve().then(() => store({ ...fields }, { name: info.filename ?? 'upload', stream }));
      // A refused upload is not read further; the rest of the body is discarded.
      stored.then(resolve, (err: unknown) => {
        stream.resume();
        reject(err);
      });
    });
    parser.on('close', () => {
      if (!stored) reject(new HttpError(400, `multipart body needs a file field named "${fileField}"`));
    });
    parser.on('error', () => reject(new HttpError(400, 'malformed multipart body')));
  });
  // The DOM and Node typings of the same web stream differ; the object is the one Node made.
  Readable.fromWeb(req.body as unknown as NodeWebStream<Uint8Array>).pipe(parser);
  return outcome;
}
