export { ConfigError, parseConfig, vars } from './config';
export { checkHealth, type Probe, probes } from './health';
export { retryUnhandled } from './queue';
export { openSecret, sealSecret } from './secret-box';
export { withTimeout } from './timeout';
