import { z } from 'zod';

/** The largest value of a Postgres `integer` column (model version numbers). */
export const MAX_PG_INTEGER = 2_147_483_647;

/** A model version number as requests name it: larger ones would overflow the column, and are refused here instead. */
export const versionNumberSchema = z.number().int().min(1).max(MAX_PG_INTEGER);

/** Text that Postgres can store: it refuses the NUL character in text columns. */
export const storableText = () =>
  // eslint-disable-next-line no-control-regex -- matching the NUL character is the point
  z.string().regex(/^[^\u0000]*$/, 'must not contain the NUL character');
