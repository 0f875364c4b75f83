import { describe, expect, it } from 'vitest';
import { canStartFrom } from './architectures';

describe('which model versions a run may start from', () => {
  it('lets an architecture start from itself, and a wider one grow from a narrower one, not the reverse', () => {
    expect(canStartFrom('vgg-lite', 'vgg-lite')).toBe(true);
    expect(canStartFrom('vgg-wide', 'vgg-lite')).toBe(true);
    expect(canStartFrom('vgg-lite', 'vgg-wide')).toBe(false);
    expect(canStartFrom('vgg-wide', 'seed-cnn')).toBe(false);
    expect(canStartFrom('keras:model.h5', 'vgg-lite')).toBe(false);
  });
});
