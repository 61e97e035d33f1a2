export { type AwsStandins, startAwsStandins } from './aws-standins.ts';
export { executeStatements, query } from './d1.ts';
export { jwtSignIn, LOCAL_JWT_AUDIENCE, localSubject, newJwtSecret, signLocalToken } from './jwt.ts';
export { freePort } from './processes.ts';
export { DEV_DOMAIN, DEV_FROM } from './seed.ts';
export { type Stack, type StackOptions, startStack } from './stack.ts';
