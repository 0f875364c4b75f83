import { DemoClient } from '@/components/demo/demo-client';

export const metadata = { title: 'Moodlab · live demo' };

export default function DemoPage() {
  return (
    <>
      <h1>Live emotion recognition</h1>
      <p className="muted">
        Every face in the camera view is detected (face-api), cropped and classified by the promoted model in your
        browser. Nothing leaves the page.
      </p>
      <DemoClient />
    </>
  );
}
