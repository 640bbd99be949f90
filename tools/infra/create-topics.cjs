// Creates every Tally topic with TALLY_TOPIC_PARTITIONS / _REPLICATION_FACTOR / _RETENTION_MS, over
// the KAFKA_* connection and security variables (run from the built dist/, like migrate.cjs).
require('reflect-metadata');
const { createTopicsFromEnv } = require('../../dist/libs/messaging/src');

createTopicsFromEnv().then(
  (topics) => process.stdout.write(`topics ready: ${topics.join(', ')}\n`),
  (error) => {
    process.stderr.write(`creating topics failed: ${error.message}\n`);
    process.exit(1);
  },
);
