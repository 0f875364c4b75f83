'use client';
import { useState } from 'react';
import { predictResponseSchema, type PredictResponse } from '@moodlab/faces';
import { apiErrorMessage } from '@/api-error';

/** Upload an image; the server detects and classifies (POST /api/predict), the page draws it. */
export function UploadPredict({ modelVersion }: { modelVersion?: number }) {
  const [preview, setPreview] = useState<string | null>(null);
  const [result, setResult] = useState<PredictResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function upload(file: File) {
    setError(null);
    setResult(null);
    setPreview(URL.createObjectURL(file));
    const form = new FormData();
    form.set('image', file);
    if (modelVersion) form.set('modelVersion', String(modelVersion));
    const res = await fetch('/api/predict', { method: 'POST', body: form });
    const json: unknown = await res.json();
    if (res.ok) setResult(predictResponseSchema.parse(json));
    else setError(apiErrorMessage(json, res.status));
  }
  return (
    <div className="card upload">
      <h2 style={{ marginTop: 0 }}>Upload an image</h2>
      <p className="muted">
        JPEG, PNG or WebP, up to 5 MB. Also as JSON: <code>POST /api/predict</code>.
      </p>
      <input
        type="file"
        accept="image/jpeg,image/png,image/webp"
        data-testid="upload"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void upload(f);
        }}
      />
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      {preview && (
        <div className="upload-preview" style={{ position: 'relative', display: 'inline-block', marginTop: 10 }}>
          <img
            src={preview}
            alt="uploaded"
            style={{ maxWidth: 480, display: 'block' }}
            onLoad={(e) => (e.currentTarget.dataset.natural = String(e.currentTarget.naturalWidth))}
          />
          {result?.faces.map((f, i) => (
            <div
              key={i}
              className="upload-box"
              style={{
                position: 'absolute',
                border: '3px solid #3b5bdb',
                left: `${(f.box.x / result.width) * 100}%`,
                top: `${(f.box.y / result.height) * 100}%`,
                width: `${(f.box.width / result.width) * 100}%`,
                height: `${(f.box.height / result.height) * 100}%`,
              }}
            >
              <span style={{ background: '#3b5bdb', color: '#fff', padding: '0 4px' }}>
                {f.label} {(f.scores[f.label]! * 100).toFixed(0)}%
              </span>
            </div>
          ))}
        </div>
      )}
      {result && (
        <p className="muted" data-testid="upload-result">
          model v{result.modelVersion}: {result.faces.map((f) => f.label).join(', ')}
        </p>
      )}
    </div>
  );
}
