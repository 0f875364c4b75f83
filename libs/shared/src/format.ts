/**
 * A fraction as a percentage for people ("67.0%"), or a placeholder when there is none: the one
 * formatter for every table, card and page.
 */
export function formatPercent(value: number | null | undefined, digits = 1, missing = '–'): string {
  return value == null || !Number.isFinite(value) ? missing : `${(value * 100).toFixed(digits)}%`;
}
