/** The config-notification contract for the in-process and Redis adapters. */
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createMemoryConfigNotifier } from '../../controller/adapters/memory/config-notifications.js';
import { createRedisConfigNotifier } from '../../controller/adapters/redis/config-notifications.js';
import { testPrefix, useRedis } from '../helpers/services.js';
import { describeConfigNotifier } from './config-notifications.contract.js';

const redis = await useRedis();
afterAll(async () => {
  await redis?.stop();
});

describeConfigNotifier('memory', async () => {
  const n = createMemoryConfigNotifier();
  return { a: n, b: n, close: () => n.close() };
});

describeConfigNotifier(
  'redis (two nodes)',
  async () => {
    const prefix = testPrefix('cfg');
    const c1 = new Redis(redis!.url);
    const c2 = new Redis(redis!.url);
    const a = createRedisConfigNotifier({ redis: c1, prefix });
    const b = createRedisConfigNotifier({ redis: c2, prefix });
    return {
      a,
      b,
      async close() {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([c1.quit(), c2.quit()]);
      },
    };
  },
  { skip: !redis },
);
