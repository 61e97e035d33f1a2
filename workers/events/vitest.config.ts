import { workerTestConfig } from '@mailgrid/testing/worker-config';

// WEBHOOKS_QUEUE is detached: the tests run the deliverer themselves on the messages they choose.
export default workerTestConfig(import.meta.dirname, { detachedProducers: ['WEBHOOKS_QUEUE'] });
