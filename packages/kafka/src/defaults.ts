/** How often clients refresh topic metadata, so added partitions are used (kafkajs' default is 5 min). */
export const METADATA_MAX_AGE_MS = 30_000;
