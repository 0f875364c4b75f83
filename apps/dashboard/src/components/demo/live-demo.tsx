'use client';
import { z } from 'zod';
import { modelListItemSchema, type ModelListItem } from '@/api-schemas';
import { useEffect, useRef, useState } from 'react';
import * as tf from '@tensorflow/tfjs';
import { classifyFaces, DetectionCadence, detectFaces, faceCrops, type DetectorKind } from '@moodlab/faces';
import { api, loadDetector, loadModel, startBackend, type ClientModel } from './runtime';
import { smoothTracks, topLabel, type Track } from './smoothing';
import { UploadPredict } from './upload-predict';

interface Stats {
  fps: number;
  detectMs: number;
  classifyMs: number;
  faces: number;
  detectEvery: number;
}

function drawTracks(canvas: HTMLCanvasElement, video: HTMLVideoElement, tracks: Track[]): void {
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineWidth = 3;
  ctx.font = '18px system-ui';
  for (const t of tracks) {
    const label = topLabel(t.scores);
    ctx.strokeStyle = '#3b5bdb';
    ctx.strokeRect(t.box.x, t.box.y, t.box.width, t.box.height);
    const text = `${label} ${(t.scores[label]! * 100).toFixed(0)}%`;
    ctx.fillStyle = '#3b5bdb';
    ctx.fillRect(t.box.x, t.box.y - 24, ctx.measureText(text).width + 10, 24);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, t.box.x + 5, t.box.y - 6);
  }
}

/** Draws each face's crop, as the model sees it, into its inset canvas; disposes the crops. */
async function drawCrops(crops: tf.Tensor4D, canvases: (HTMLCanvasElement | null)[]): Promise<void> {
  try {
    for (let i = 0; i < crops.shape[0]; i++) {
      const canvas = canvases[i];
      if (!canvas) continue;
      const one = tf.tidy(() => crops.slice([i, 0, 0, 0], [1, -1, -1, -1]).squeeze([0]).div(255) as tf.Tensor3D);
      await tf.browser.toPixels(one, canvas);
      one.dispose();
    }
  } finally {
    crops.dispose();
  }
}

/** How long a replaced model stays usable for the frames and calls already running on it. */
const MODEL_DISPOSE_DELAY_MS = 10_000;

/** Live webcam recognition in the browser: detect, crop and classify every frame. */
export function LiveDemo() {
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const cropRefs = useRef<(HTMLCanvasElement | null)[]>([]);
  const modelRef = useRef<ClientModel | null>(null);
  const [backend, setBackend] = useState<string>('starting…');
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [versions, setVersions] = useState<ModelListItem[]>([]);
  const [choice, setChoice] = useState<string>('promoted');
  const [model, setModel] = useState<{ version: number; id: string } | null>(null);
  const [detector, setDetector] = useState<DetectorKind>('tiny');
  const [alpha, setAlpha] = useState(0.3);
  const [tracks, setTracks] = useState<Track[]>([]);
  const [stats, setStats] = useState<Stats | null>(null);
  // 'auto' is 224, then 416 on frames where 224 finds nothing, as for uploads: on our test frames
  // 224 finds as many faces as 416 (81% and 80%) at a quarter of the cost, and 416 still catches
  // faces too small for 224 (tools/demo/detector-input-size.ts).
  const [inputSize, setInputSize] = useState<number | 'auto'>('auto');
  // Re-detecting every 4th frame keeps boxes at most 3 frames behind and quadruples the frame rate
  // the detector alone allows; every frame is still classified.
  const [detectEvery, setDetectEvery] = useState(4);
  const settings = useRef({ detector, alpha, inputSize, detectEvery });
  settings.current = { detector, alpha, inputSize, detectEvery };

  // Which model to run: the chosen version, or whatever is promoted (polled, so a promotion
  // in the dashboard switches this page without a reload).
  useEffect(() => {
    let stop = false;
    // One poll at a time: a model that takes longer to load than the poll interval was loaded twice,
    // and the second load disposed the first while frames were running on it.
    let polling = false;
    const poll = async () => {
      const list = z.array(modelListItemSchema).parse(await (await fetch('/api/models')).json());
      if (stop) return;
      setVersions(list);
      const target = choice === 'promoted' ? list.find((v) => v.promoted) : list.find((v) => v.id === choice);
      if (target && modelRef.current?.id !== target.id) {
        const loaded = await loadModel(target.id, target.version);
        if (stop) {
          loaded.model.dispose();
          return;
        }
        const previous = modelRef.current;
        modelRef.current = loaded;
        setModel({ id: loaded.id, version: loaded.version });
        // A frame or a classifyImage call may still be running on the previous model.
        if (previous) setTimeout(() => previous.model.dispose(), MODEL_DISPOSE_DELAY_MS);
      }
    };
    const refresh = async () => {
      if (polling) return;
      polling = true;
      try {
        await poll();
      } finally {
        polling = false;
      }
    };
    void refresh();
    const timer = setInterval(() => void refresh(), 3000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [choice]);

  // For tests and the console: run the page's own pipeline on any image URL.
  useEffect(() => {
    (window as unknown as { moodlabDemo?: unknown }).moodlabDemo = {
      classifyImage: async (url: string) => {
        const m = modelRef.current;
        if (!m) throw new Error('model not loaded yet');
        const img = new Image();
        img.src = url;
        await img.decode();
        const pixels = tf.browser.fromPixels(img);
        try {
          await loadDetector('tiny');
          return {
            modelVersion: m.version,
            faces: classifyFaces(
              m.model,
              m.metadata,
              pixels,
              await detectFaces(api, pixels, { kind: 'tiny', inputSize: 'auto' }),
            ),
          };
        } finally {
          pixels.dispose();
        }
      },
    };
  }, []);

  useEffect(() => {
    let running = true;
    let previous: Track[] = [];
    let faces: Awaited<ReturnType<typeof detectFaces>> = [];
    const cadence = new DetectionCadence(settings.current.detectEvery);
    let last = performance.now(),
      fps = 0,
      lastUi = 0,
      detectMs = 0;
    const loop = async () => {
      const video = videoRef.current,
        canvas = canvasRef.current,
        m = modelRef.current;
      if (!running) return;
      if (video && canvas && m && video.readyState >= 2 && video.videoWidth) {
        const t0 = performance.now();
        const frame = tf.browser.fromPixels(video);
        try {
          cadence.every = settings.current.detectEvery;
          if (cadence.next(faces.length)) {
            await loadDetector(settings.current.detector);
            faces = await detectFaces(api, frame, {
              kind: settings.current.detector,
              inputSize: settings.current.inputSize,
            });
            detectMs = performance.now() - t0;
          } else {
            // Between detections each face is classified at its last (smoothed-track) box.
            faces = previous.map((t, i) => ({ box: t.box, score: faces[i]?.score ?? 1 }));
          }
          const t1 = performance.now();
          const predictions = classifyFaces(m.model, m.metadata, frame, faces);
          const t2 = performance.now();
          previous = smoothTracks(previous, predictions, settings.current.alpha);
          drawTracks(canvas, video, previous);
          fps = fps ? 0.9 * fps + 0.1 * (1000 / (t2 - last)) : 1000 / (t2 - last);
          last = t2;
          if (t2 - lastUi > 250) {
            lastUi = t2;
            // What the model judged, per face: the same crop classifyFaces made, before normalisation.
            if (previous.length)
              void drawCrops(
                faceCrops(
                  frame,
                  previous.map((t) => t.box),
                  m.metadata.preprocessing.imageSize,
                ),
                cropRefs.current,
              );
            setTracks(previous);
            setStats({
              fps,
              detectMs,
              classifyMs: t2 - t1,
              faces: previous.length,
              detectEvery: settings.current.detectEvery,
            });
          }
        } finally {
          frame.dispose();
        }
      }
      requestAnimationFrame(() => void loop());
    };
    (async () => {
      setBackend(await startBackend());
      await loadDetector('tiny');
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
        if (videoRef.current) {
          videoRef.current.srcObject = stream;
          await videoRef.current.play();
        }
      } catch (err) {
        setCameraError(`Camera unavailable (${(err as Error).name}): allow camera access, or upload an image below.`);
      }
      void loop();
    })().catch((err: unknown) =>
      setCameraError(`The demo could not start: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      running = false;
      (videoRef.current?.srcObject as MediaStream | null)?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  return (
    <>
      <div className="card demo-controls">
        <label>
          Model
          <select value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="model-select">
            <option value="promoted">promoted{model && choice === 'promoted' ? ` (v${model.version})` : ''}</option>
            {versions.map((v) => (
              <option key={v.id} value={v.id}>
                v{v.version} {v.architecture}
                {v.promoted ? ' ★' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Detector
          <select value={detector} onChange={(e) => setDetector(e.target.value as DetectorKind)}>
            <option value="tiny">tiny face detector</option>
            <option value="ssd">SSD MobileNet v1</option>
          </select>
        </label>
        <label>
          Detector input
          <select
            value={inputSize}
            disabled={detector !== 'tiny'}
            onChange={(e) => setInputSize(e.target.value === 'auto' ? 'auto' : Number(e.target.value))}
          >
            <option value="auto">auto (224, then 416)</option>
            {[160, 224, 320, 416].map((s) => (
              <option key={s} value={s}>
                {s} px{s === 416 ? ' (small faces)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Detect faces
          <select
            value={detectEvery}
            onChange={(e) => setDetectEvery(Number(e.target.value))}
            data-testid="detect-every"
          >
            {[1, 2, 4, 8].map((n) => (
              <option key={n} value={n}>
                {n === 1 ? 'every frame' : `every ${n} frames`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Smoothing ({alpha.toFixed(2)})
          <input
            type="range"
            min={0.05}
            max={1}
            step={0.05}
            value={alpha}
            onChange={(e) => setAlpha(Number(e.target.value))}
          />
        </label>
        <span className="muted" data-testid="demo-stats">
          backend {backend} · model {model ? `v${model.version}` : '…'}
          {stats &&
            ` · ${stats.fps.toFixed(1)} FPS · detect ${stats.detectMs.toFixed(0)} ms${stats.detectEvery > 1 ? ` every ${stats.detectEvery} frames` : ''} · classify ${stats.classifyMs.toFixed(0)} ms`}
        </span>
      </div>
      {cameraError && (
        <div className="card error" role="alert">
          {cameraError}
        </div>
      )}
      <div className="demo-stage">
        <div className="video-wrap">
          <video ref={videoRef} muted playsInline />
          <canvas ref={canvasRef} data-testid="overlay" />
        </div>
        <div className="card faces" data-testid="faces">
          {!cameraError && tracks.length === 0 && <p className="muted">no face detected</p>}
          {tracks.map((t, i) => (
            <div key={i} className="face-bars">
              <canvas
                className="face-crop"
                data-testid="face-crop"
                title="what the model sees"
                ref={(el) => {
                  cropRefs.current[i] = el;
                }}
              />
              <strong data-testid="face-label">{topLabel(t.scores)}</strong>
              {Object.entries(t.scores).map(([label, p]) => (
                <div key={label} className="bar-row">
                  <span>{label}</span>
                  <div className="bar">
                    <div style={{ width: `${(p * 100).toFixed(1)}%` }} />
                  </div>
                  <span>{(p * 100).toFixed(0)}%</span>
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
      <UploadPredict modelVersion={choice === 'promoted' ? undefined : model?.version} />
    </>
  );
}
