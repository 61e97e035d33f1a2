export { parseSigningKeys, type SigningKeys } from './keys.ts';
export { signToken, type TokenAction, type TrackingClaims, verifyToken } from './token.ts';
