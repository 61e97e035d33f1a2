/**
 * The claim token of an email whose last attempt's outcome is unknown (a timeout, a delivery that died
 * mid-send), while SES's `Send` event is given time to arrive (until `claimed_until`). After that the
 * next delivery takes it over and sends only what SES has no event for (workers/send/src/consumer.ts).
 */
export const SETTLING = 'settling';
