export { type AwsStandins, startAwsStandins } from './aws-standins.ts';
export { executeStatements, query } from './d1.ts';
export { dashboardLink, userStatement } from './dashboard.ts';
export { jwtSignIn, LOCAL_JWT_AUDIENCE, localSubject, newJwtSecret, signLocalToken } from './jwt.ts';
export { freePort } from './processes.ts';
export { DEV_DOMAIN, DEV_FROM, DEV_OWNER } from './seed.ts';
export { type Stack, type StackOptions, startStack } from './stack.ts';
