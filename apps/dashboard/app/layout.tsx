import type { ReactNode } from 'react';
import './globals.css';
import { HydrationMarker } from '@/components/hydration-marker';

export const metadata = { title: 'Moodlab', description: 'Train, compare, promote and serve facial-expression CNNs' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <a href="/" className="brand">
            Moodlab
          </a>
          <nav style={{ display: 'flex', gap: 16 }}>
            <a href="/">Runs &amp; datasets</a>
            <a href="/models">Models</a>
            <a href="/sweeps">Sweeps</a>
            <a href="/queue">Queue</a>
            <a href="/demo">Live demo</a>
            <a href="/signin">Sign in</a>
          </nav>
        </header>
        <main>{children}</main>
        <HydrationMarker />
      </body>
    </html>
  );
}
