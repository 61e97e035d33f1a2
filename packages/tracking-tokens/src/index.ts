export { parseSigningKeys, type SigningKeys, signingKeysOf } from './keys.ts';
export { signToken, type TokenAction, type TrackingClaims, verifyToken } from './token.ts';
