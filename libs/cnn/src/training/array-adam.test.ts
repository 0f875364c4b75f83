import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArrayAdam } from './array-adam';

/** Three variables of different shapes and a fixed sequence of gradients for them. */
function problem(prefix: string) {
  const vars = [
    tf.variable(tf.tensor2d([0.5, -1, 2, 0.25, -0.75, 1.5], [2, 3]), true, `${prefix}/kernel`),
    tf.variable(tf.tensor1d([0.1, -0.2, 0.3]), true, `${prefix}/bias`),
    tf.variable(tf.scalar(-2), true, `${prefix}/scale`),
  ];
  const grads = (step: number) =>
    vars.map((v, i) =>
      Float32Array.from({ length: v.size }, (_, j) => Math.sin(step * 1.7 + i * 0.9 + j * 0.31) * (i + 1)),
    );
  return { vars, grads };
}

function runTfAdam(steps: number, lr: number) {
  const { vars, grads } = problem(`tf${steps}`);
  const opt = tf.train.adam(lr);
  for (let s = 0; s < steps; s++)
    opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads(s)[i]!, v.shape) })));
  return { vars, opt };
}

describe('ArrayAdam', () => {
  it('takes the steps tf.train.adam takes', () => {
    const expected = runTfAdam(12, 0.05).vars.map((v) => Array.from(v.dataSync()));
    const { vars, grads } = problem('array12');
    const opt = new ArrayAdam(0.05);
    for (let s = 0; s < 12; s++) opt.applyArrays(vars, grads(s));
    vars.forEach((v, i) => {
      const got = Array.from(v.dataSync());
      got.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 5));
    });
    expect(opt.iterations).toBe(12);
  });

  it('resumes from a tf.train.adam checkpoint and writes one that tf.train.adam resumes from', async () => {
    const lr = 0.05;
    const reference = runTfAdam(10, lr).vars.map((v) => Array.from(v.dataSync()));

    // tf.train.adam for 4 steps, ArrayAdam for 3 from its slots, tf.train.adam again for 3 from ArrayAdam's.
    const { vars, grads } = problem('mixed');
    const first = tf.train.adam(lr);
    for (let s = 0; s < 4; s++)
      first.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads(s)[i]!, v.shape) })));
    const middle = new ArrayAdam(lr);
    await middle.setWeights(await first.getWeights());
    for (let s = 4; s < 7; s++) middle.applyArrays(vars, grads(s));
    const slots = await middle.getWeights();
    expect(slots.map((w) => w.name)).toEqual([
      'iter',
      ...vars.map((v) => `${v.name}/m`),
      ...vars.map((v) => `${v.name}/v`),
    ]);
    const last = tf.train.adam(lr);
    await last.setWeights(slots);
    for (let s = 7; s < 10; s++)
      last.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads(s)[i]!, v.shape) })));
    vars.forEach((v, i) => Array.from(v.dataSync()).forEach((x, j) => expect(x).toBeCloseTo(reference[i]![j]!, 5)));
  });

  it('refuses gradients for a model other than the one its slots belong to', () => {
    const { vars, grads } = problem('refuse');
    const opt = new ArrayAdam(0.01);
    opt.applyArrays(vars, grads(0));
    expect(() => opt.applyArrays(vars.slice(0, 2), grads(1).slice(0, 2))).toThrow(/do not match/);
  });

  it('is told apart from other optimizers, which instanceof cannot do', () => {
    expect(ArrayAdam.is(new ArrayAdam(0.01))).toBe(true);
    expect(ArrayAdam.is(tf.train.adam(0.01))).toBe(false);
  });
});
