import { workerTestConfig } from '@mailgrid/testing/worker-config';

export default workerTestConfig(import.meta.dirname, {
  // The tests play SES with a spy on fetch; should a call ever slip past it, it fails here rather
  // than reaching a local SES stand-in someone left running on the wrangler.jsonc port.
  vars: { SES_ENDPOINT: 'https://ses.send-tests.invalid' },
  // Each test runs the consumer itself, on the messages it chooses (see test/helpers.ts).
  detachedProducers: ['SEND_QUEUE'],
});
