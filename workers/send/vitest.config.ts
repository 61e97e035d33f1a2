import { workerTestConfig } from '@mailgrid/testing/worker-config';

export default workerTestConfig(import.meta.dirname, {
  // The tests play SES with a spy on fetch; should a call ever slip past it, it fails here rather
  // than reaching a local SES stand-in someone left running on the wrangler.jsonc port.
  // The real RateLimiter paces SES: tests share one bucket per region, so it is made wide enough
  // never to hold a test back (the pacing tests set their own rate on a region of their own).
  vars: { SES_ENDPOINT: 'https://ses.send-tests.invalid', SES_MAX_SEND_RATE: '100000' },
  // Each test runs the consumer itself, on the messages it chooses (see test/helpers.ts); what send
  // puts on the events queue is watched by a spy, and consumed by no one.
  detachedProducers: ['SEND_QUEUE', 'EVENTS_QUEUE', 'BROADCAST_QUEUE'],
});
