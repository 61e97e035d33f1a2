// Mailgrid's own: the reputation guardrail and delivery stats, forwarded to `events`.
import {
  ReputationList,
  ResumeResponse,
  ResumeSendingRequest,
  StatsQuery,
  StatsResponse,
} from '@mailgrid/contracts';
import { route } from '../route';

export const insightRoutes = [
  route({
    operationId: 'reputation/get',
    method: 'GET',
    path: '/api/reputation',
    summary: "Each stream's bounce and complaint rates and guardrail state",
    response: ReputationList,
    call: ({ env, caller }) => env.EVENTS.getReputation(caller),
  }),
  route({
    operationId: 'reputation/resume',
    method: 'POST',
    path: '/api/reputation/resume',
    summary: 'Resume a stream the guardrail paused (or every paused stream)',
    body: ResumeSendingRequest,
    bodyOptional: true,
    response: ResumeResponse,
    call: ({ env, caller, body }) => env.EVENTS.resumeSending(caller, body.stream),
  }),
  route({
    operationId: 'stats/get',
    method: 'GET',
    path: '/api/stats',
    summary: 'Counts and rates per day and stream',
    query: StatsQuery,
    response: StatsResponse,
    call: ({ env, caller, query }) => env.EVENTS.getStats(caller, query),
  }),
];
