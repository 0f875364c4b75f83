import type { ModelCard } from './model-card';
import type { Hyperparameters, PipelineFigures } from '@moodlab/shared';
import { formatPercent } from '@moodlab/shared';

const pct = (v: number | null | undefined) => formatPercent(v, 1, '-');

/** The model card as Markdown (README.md of a bundle): what a reader checks before using a model. */
export function modelCardMarkdown(card: ModelCard, title: string): string {
  const hp = card.run.hyperparameters;
  const wallMs = card.run.epochs.reduce((n, e) => n + e.durationMs, 0);
  const counts = (split: string) => Object.values(card.dataset.counts[split] ?? {}).reduce((a, b) => a + b, 0);
  const lines = [
    `# ${title}`,
    '',
    `\`${card.architecture}\` trained on **${card.dataset.name}** (${counts('train').toLocaleString('en')} train images, ${counts('validation').toLocaleString('en')} validation; ${card.dataset.imageSize}x${card.dataset.imageSize} grayscale; dataset digest \`${card.dataset.digest.slice(0, 16)}\`).`,
    `Classes, in output order: ${card.dataset.classNames.join(', ')}. Preprocessing: ${hp.preprocessing.normalization}.`,
    '',
    '## Evaluation',
    '',
    '| split | accuracy | macro-F1 |',
    '| --- | --- | --- |',
    ...card.evaluations.map((e) => `| ${e.split} | ${pct(e.accuracy)} | ${pct(e.macroF1)} |`),
  ];
  const main = card.evaluations.find((e) => e.split === 'validation') ?? card.evaluations[0];
  if (main) {
    lines.push(
      '',
      `### Per class (${main.split})`,
      '',
      '| class | precision | recall | F1 | support |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const c of main.perClass)
      lines.push(`| ${c.label} | ${pct(c.precision)} | ${pct(c.recall)} | ${pct(c.f1)} | ${c.support} |`);
    lines.push(
      '',
      `### Confusion matrix (${main.split}; rows: true class, columns: predicted)`,
      '',
      `| | ${card.dataset.classNames.join(' | ')} |`,
      `| --- |${' --- |'.repeat(card.dataset.classNames.length)}`,
    );
    main.confusion.forEach((row, i) => lines.push(`| **${card.dataset.classNames[i]}** | ${row.join(' | ')} |`));
  }
  if (card.pipeline) lines.push('', ...pipelineSection(card.pipeline));
  lines.push(
    '',
    '## Training',
    '',
    trainingParagraph(card, wallMs),
    '',
    '| epoch | loss | accuracy | val loss | val accuracy | learning rate | minutes |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...card.run.epochs.map(
      (e) =>
        `| ${[
          e.epoch + 1,
          e.loss.toFixed(4),
          pct(e.accuracy),
          e.valLoss?.toFixed(4) ?? '-',
          pct(e.valAccuracy),
          e.learningRate.toExponential(2),
          (e.durationMs / 60_000).toFixed(1),
        ].join(' | ')} |`,
    ),
    '',
    'Files: `model.json` + `weights.bin` (TF.js layers format; class order and preprocessing in ' +
      `\`userDefinedMetadata\`), \`card.json\` (this card as data; weights sha256 \`${card.weightsSha256.slice(0, 16)}\`).`,
    '',
  );
  return lines.join('\n');
}

function averagedLine(card: ModelCard): string {
  const a = card.run.averaged;
  if (!a) return '';
  // With a recalibration the next sentence gives the accuracies before and after it; which one the
  // average was judged at differs between runs and post-hoc recalibrations.
  const acc =
    a.valAccuracy === null || card.run.recalibrated
      ? ''
      : ` (validation accuracy ${(a.valAccuracy * 100).toFixed(1)}%)`;
  return a.used
    ? ` The weights are the mean of those at the end of the last ${a.epochs} epochs${acc}, not the last epoch's.`
    : ` The mean of the last ${a.epochs} epochs' weights validated worse${acc}; the last epoch's weights were kept.`;
}

function recalibratedLine(card: ModelCard): string {
  const r = card.run.recalibrated;
  if (!r) return '';
  const change =
    r.valAccuracy === null
      ? ''
      : ` (validation accuracy ${pct(r.valAccuracyBefore)} before, ${pct(r.valAccuracy)} after)`;
  return r.used
    ? ` The BatchNorm statistics were then recomputed exactly over ${r.images} training images without augmentation${change}.`
    : ` Recomputing the BatchNorm statistics over ${r.images} training images validated worse${change}; the trained statistics were kept.`;
}

/** The augmentation's active parts, photometric ones only when on (cards written before they existed read as before). */
function describeAugmentation(a: Hyperparameters['augmentation']): string {
  const parts = [`rotation ${a.rotationDeg} deg`, `shift ${a.shift}`, `zoom ${a.zoom}`, `flip ${a.horizontalFlip}`];
  if (a.brightness > 0) parts.push(`brightness ±${a.brightness}`);
  if (a.contrast > 0) parts.push(`contrast ±${a.contrast}`);
  if (a.gamma > 0) parts.push(`gamma ±${a.gamma}`);
  if (a.blur > 0) parts.push(`blur p=${a.blur}`);
  return parts.join(', ');
}

/** The teachers, when the run distilled (distillFrom). */
function distilledLine(card: ModelCard): string {
  const teachers = card.run.distilledFrom ?? [];
  if (!teachers.length) return '';
  const hp = card.run.hyperparameters;
  const names = teachers.map((t) => `${t.architecture} \`${t.weightsSha256.slice(0, 16)}\``).join(', ');
  return `; distilled from ${teachers.length === 1 ? 'a teacher' : `an ensemble of ${teachers.length} teachers`}, each with its mirror (${names}), weight ${hp.distillWeight}, temperature ${hp.distillTemperature}`;
}

/** How the model was trained, in one paragraph: length, backend, optimiser, regularisation, data, start. */
function trainingParagraph(card: ModelCard, wallMs: number): string {
  const hp = card.run.hyperparameters;
  const classWeights = !hp.classWeighting
    ? 'off'
    : hp.classWeightPower === 1
      ? 'on'
      : `on (power ${hp.classWeightPower})`;
  const from = card.run.initializedFrom;
  const parts = [
    `${card.run.epochs.length} epochs in ${(wallMs / 60_000).toFixed(0)} min on the \`${card.run.backend ?? '?'}\` backend`,
    `; batch ${hp.batchSize}, ${hp.optimizer} at ${hp.learningRate} with a ${hp.lrSchedule} schedule`,
    `, label smoothing ${hp.labelSmoothing}, weight decay ${hp.weightDecay}`,
    `, augmentation ${hp.augmentation.enabled ? `on (${describeAugmentation(hp.augmentation)})` : 'off'}`,
    `, class weights ${classWeights}, seed ${hp.seed}`,
    from
      ? `; started from the weights of an earlier ${from.architecture} (sha256 \`${from.weightsSha256.slice(0, 16)}\`)`
      : '',
    distilledLine(card),
    `.${averagedLine(card)}${recalibratedLine(card)}`,
  ];
  return parts.join('');
}

/** The live pipeline's figures: what users of /demo and POST /api/predict get, beside face-api's. */
function pipelineSection(p: PipelineFigures): string[] {
  return [
    `## Through the live pipeline (${p.measuredAt})`,
    '',
    p.setup,
    '',
    '| layout | face px | faces | detected | exact crops | of detected | overall | face-api, of detected | face-api, overall |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...p.rows.map(
      (r) =>
        `| ${r.layout} | ${r.facePx} | ${r.faces} | ${pct(r.detected)} | ${pct(r.exactCrops)} | ${pct(r.ofDetected)} | ${pct(r.overall)} | ${pct(r.faceApiOfDetected)} | ${pct(r.faceApiOverall)} |`,
    ),
    '',
    `Recall per class of the faces detected at 192 px (one a frame): ${Object.entries(p.recallAt192)
      .map(([c, r]) => `${c} ${pct(r)}`)
      .join(', ')}.`,
  ];
}
