/** A Server-Timing header value (https://www.w3.org/TR/server-timing/) from named durations in ms. */
export function serverTiming(durations: Record<string, number>): string {
  return Object.entries(durations)
    .map(([name, ms]) => `${name};dur=${Math.max(0, ms).toFixed(1)}`)
    .join(', ');
}
