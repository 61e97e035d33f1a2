// Every public route, in matching order: fixed paths before the `:id` routes that could take them.
import { accountRoutes } from './account';
import { audienceRoutes } from './audience';
import { broadcastRoutes } from './broadcasts';
import { domainRoutes } from './domains';
import { emailRoutes } from './emails';
import { insightRoutes } from './insights';
import { messagingRoutes } from './messaging';
import { systemRoutes } from './system';

export const routes = [
  ...systemRoutes,
  ...emailRoutes,
  ...domainRoutes,
  ...audienceRoutes,
  ...messagingRoutes,
  ...broadcastRoutes,
  ...accountRoutes,
  ...insightRoutes,
];
