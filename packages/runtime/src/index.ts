export { ConfigError, parseConfig, vars } from './config';
export { checkHealth, type Probe, probes } from './health';
export { retryUnhandled } from './queue';
export { withTimeout } from './timeout';
