'use client';
import dynamic from 'next/dynamic';

/** The demo uses the camera, WebGL and face-api: browser only, never rendered on the server. */
export const DemoClient = dynamic(() => import('./live-demo').then((m) => m.LiveDemo), {
  ssr: false,
  loading: () => <p className="muted">Loading the models…</p>,
});
