import { workerTestConfig } from '@mailgrid/testing/worker-config';

// The imports queue is admin's own: detached, so a test runs the consumer on the chunks it chooses.
export default workerTestConfig(import.meta.dirname, { detachedProducers: ['IMPORTS_QUEUE'] });
