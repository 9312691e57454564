import type { Admin } from 'kafkajs';
import { type KafkaClient, kafkaDriver } from './driver.js';

/** Runs `work` on an admin client connected for it alone, disconnected afterwards whatever happens. Internal to the package. */
export async function withAdmin<T>(kafka: KafkaClient, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaDriver(kafka).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
