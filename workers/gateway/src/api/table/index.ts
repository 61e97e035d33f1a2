// Every public route, in matching order: fixed paths before the `:id` routes that could take them.
import { accountRoutes } from './account';
import { audienceRoutes } from './audience';
import { audiencesRoutes } from './audiences';
import { broadcastRoutes } from './broadcasts';
import { domainRoutes } from './domains';
import { emailRoutes } from './emails';
import { insightRoutes } from './insights';
import { logsUsageRoutes } from './logs-usage';
import { mcpRoutes } from './mcp';
import { messagingRoutes } from './messaging';
import { sessionRoutes } from './session';
import { systemRoutes } from './system';

export const routes = [
  ...systemRoutes,
  ...sessionRoutes,
  ...mcpRoutes,
  ...emailRoutes,
  ...domainRoutes,
  ...audienceRoutes,
  ...audiencesRoutes,
  ...messagingRoutes,
  ...broadcastRoutes,
  ...accountRoutes,
  ...insightRoutes,
  ...logsUsageRoutes,
];
