import { workerTestConfig } from '@mailgrid/testing/worker-config';

export default workerTestConfig(import.meta.dirname);
