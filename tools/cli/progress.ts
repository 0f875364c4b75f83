import cliProgress from 'cli-progress';

/** One progress bar on stderr (stdout stays clean for tables and JSON). */
export function progressBar(label: string) {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {status}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value: number, total: number, status = '') {
      if (!started) {
        bar.start(total, value, { status });
        started = true;
      }
      bar.setTotal(total);
      bar.update(value, { status });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
