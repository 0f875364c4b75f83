import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace libs ship TypeScript sources.
  transpilePackages: [
    '@moodlab/shared',
    '@moodlab/db',
    '@moodlab/jobs',
    '@moodlab/cnn',
    '@moodlab/cnn-native',
    '@moodlab/runs',
    '@moodlab/faces',
  ],
  // Native or WASM-loading packages stay as Node requires instead of being bundled.
  serverExternalPackages: [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
    '@vladmandic/face-api',
    'sharp',
    'h5wasm',
    'bullmq',
    'ioredis',
    'pg',
    '@prisma/adapter-pg',
    '@prisma/client',
  ],
  typescript: { ignoreBuildErrors: false },
};

export default config;
