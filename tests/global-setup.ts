import { resetServices } from './reset-services';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './test-env';

export default async function setup(): Promise<void> {
  await resetServices(TEST_DATABASE_URL, TEST_REDIS_URL);
}
