import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, listMigrations, migrate } from '@moodlab/db';
import { MIGRATIONS_DIR, TEST_DATABASE_URL } from '../test-env';

/**
 * The migrations are hand-written SQL (Prisma's schema engine is not available offline), so
 * this proves that the migrated database is the one schema.prisma describes: every scalar field
 * of every model has its column, and every model round-trips through the generated client.
 */
const db = createDb(TEST_DATABASE_URL);
afterAll(async () => {
  await db.$disconnect();
});

interface RuntimeField {
  name: string;
  kind: string;
  type: string;
}
const runtimeModel = (
  db as unknown as { _runtimeDataModel: { models: Record<string, { fields: RuntimeField[]; dbName: string | null }> } }
)._runtimeDataModel;

describe('migrations match schema.prisma', () => {
  it("records applied migrations with Prisma's checksums and applies nothing twice", async () => {
    const again = await migrate({ connectionString: TEST_DATABASE_URL, migrationsDir: MIGRATIONS_DIR });
    const files = await listMigrations(MIGRATIONS_DIR);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(files.map((f) => f.name));
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    await client.end();
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(files.map((f) => [f.name, f.checksum]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('has a column for every scalar field and no column the schema lacks', async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'",
    );
    await client.end();
    const actual = new Map<string, Set<string>>();
    for (const r of rows)
      (actual.get(r.table_name) ?? actual.set(r.table_name, new Set()).get(r.table_name)!).add(r.column_name);
    const models = Object.entries(runtimeModel.models);
    expect(new Set(actual.keys())).toEqual(new Set(models.map(([name, m]) => m.dbName ?? name)));
    for (const [name, m] of models) {
      const expected = new Set(m.fields.filter((f) => f.kind !== 'object').map((f) => f.name));
      expect(actual.get(m.dbName ?? name), name).toEqual(expected);
    }
  });

  it('round-trips every model through the generated client', async () => {
    const bytes = new Uint8Array([1, 2, 3, 255]);
    const artifact = await db.artifact.create({
      data: { kind: 'model', digest: 'd', sizeBytes: 4, meta: { a: [1, { b: null }] }, data: bytes },
    });
    expect(Array.from(artifact.data)).toEqual([1, 2, 3, 255]);
    const dataset = await db.dataset.create({
      data: {
        name: 'roundtrip',
        source: 'synthetic',
        classNames: ['x', 'y'],
        counts: { train: { x: 1 } },
        imageSize: 48,
        digest: 'd',
        packId: artifact.id,
      },
    });
    const run = await db.run.create({
      data: {
        datasetId: dataset.id,
        architecture: 'a',
        hyperparameters: { epochs: 1 },
        seed: 7,
        status: 'running',
        tags: ['t1', 't2'],
        progress: { f: 0.5 },
        checkpointId: artifact.id,
        startedAt: new Date(),
        jobId: 'j',
        workerId: 'w',
        backend: 'wasm',
        codeVersion: 'v',
        error: 'e',
        kind: 'evaluate',
      },
    });
    await db.epochMetric.create({
      data: {
        runId: run.id,
        epoch: 0,
        loss: 1.5,
        accuracy: 0.25,
        valLoss: null,
        valAccuracy: 0.5,
        learningRate: 1e-3,
        durationMs: 10,
      },
    });
    const mv = await db.modelVersion.create({
      data: { version: 1000, runId: run.id, architecture: 'a', artifactId: artifact.id, summary: { s: 1 } },
    });
    await db.evaluation.create({
      data: {
        modelVersionId: mv.id,
        datasetId: dataset.id,
        split: 'validation',
        accuracy: 0.5,
        macroF1: 0.4,
        perClass: [{ label: 'x' }],
        confusionMatrix: [
          [1, 0],
          [0, 1],
        ],
      },
    });
    await db.promotion.create({ data: { modelVersionId: mv.id, note: 'why', rollbackOf: run.id } });
    await db.workerHeartbeat.create({
      data: { id: 'w1', hostname: 'h', backend: 'wasm', concurrency: 2, currentRunIds: [run.id] },
    });

    const back = await db.run.findUniqueOrThrow({
      where: { id: run.id },
      include: {
        dataset: { include: { pack: true } },
        checkpoint: true,
        epochs: true,
        modelVersions: { include: { evaluations: true, promotions: true, artifact: true } },
      },
    });
    expect(back).toMatchObject({
      status: 'running',
      kind: 'evaluate',
      tags: ['t1', 't2'],
      progress: { f: 0.5 },
      seed: 7,
    });
    expect(back.dataset.classNames).toEqual(['x', 'y']);
    expect(back.dataset.report).toEqual({});
    expect(back.epochs[0]).toMatchObject({ epoch: 0, loss: 1.5, valLoss: null, valAccuracy: 0.5 });
    expect(back.modelVersions[0]!.evaluations[0]!.confusionMatrix).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(back.modelVersions[0]!.promotions[0]).toMatchObject({ note: 'why', rollbackOf: run.id });
    expect((await db.workerHeartbeat.findUniqueOrThrow({ where: { id: 'w1' } })).currentRunIds).toEqual([run.id]);
    await expect(
      db.epochMetric.create({
        data: { runId: run.id, epoch: 0, loss: 1, accuracy: 0, learningRate: 0, durationMs: 0 },
      }),
    ).rejects.toThrow();

    // Cascades: deleting the run removes its epochs, versions, evaluations and promotions.
    await db.run.delete({ where: { id: run.id } });
    expect(await db.epochMetric.count({ where: { runId: run.id } })).toBe(0);
    expect(await db.promotion.count({ where: { modelVersionId: mv.id } })).toBe(0);
    await db.dataset.delete({ where: { id: dataset.id } });
    await db.artifact.delete({ where: { id: artifact.id } });
    await db.workerHeartbeat.delete({ where: { id: 'w1' } });
  });
});
