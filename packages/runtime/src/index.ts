export { ConfigError, parseConfig, vars } from './config';
export { checkHealth, type Probe, probes } from './health';
export {
  type BindingKind,
  type Cost,
  emptyCost,
  type Invocation,
  logCost,
  type MeteredBindings,
  meterEntrypoint,
  meterEnv,
  routeOf,
  runMetered,
  runMeteredQueue,
  type UnitLabels,
  unmetered,
} from './metered-env';
export { retryUnhandled } from './queue';
export { openSecret, sealSecret } from './secret-box';
export { withTimeout } from './timeout';
