export { RateLimiter } from './rate-limiter';
