'use client';
import { useEffect } from 'react';

/**
 * Marks the page as interactive once React has hydrated it. A click that lands before hydration
 * is lost (the server HTML has no handlers), so browser tests wait for this mark before clicking.
 */
export function HydrationMarker() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return null;
}
