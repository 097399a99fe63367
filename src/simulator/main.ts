// Entry for `npm run pinpoint:sim`: a local Pinpoint with a seeded `demo` company, so the BFF can
// be run and explored without a real Pinpoint account.
import { DEFAULT_DEMO_API_KEY, seedDemoCompany } from './demo.js';
import { startPinpointSimulator } from './server.js';

const port = Number(process.env.PINPOINT_SIM_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PINPOINT_SIM_PORT must be a port number, got "${process.env.PINPOINT_SIM_PORT}"`);
  process.exit(1);
}

// A fixed key by default (the simulator holds nothing real), so restarting it does not invalidate the
// key the BFF stored at activation; PINPOINT_SIM_API_KEY picks another.
const apiKey = process.env.PINPOINT_SIM_API_KEY?.trim() || DEFAULT_DEMO_API_KEY;
const sim = await startPinpointSimulator({ port });
const demo = seedDemoCompany(sim, apiKey);

console.log(`Pinpoint simulator listening on ${sim.url}

  domain:  demo
  API key: ${apiKey}${apiKey === DEFAULT_DEMO_API_KEY ? ' (the fixed default; PINPOINT_SIM_API_KEY sets another)' : ''}
  jobs:    ${demo.jobs.map((j) => `${j.id} ${j.title}`).join(', ')}

Run the BFF against it (another port than this one; stop any BFF already on 4000 first) with:
  PINPOINT_BASE_URL=http://127.0.0.1:${new URL(sim.url).port}/{domain} npm start

Fault injection: POST ${sim.url}/_control/demo/faults  e.g. {"rateLimit":{"count":2,"retryAfterSeconds":5}}
Inspect state:   GET  ${sim.url}/_control/demo/state
Webhooks:        POST ${sim.url}/_control/demo/webhook  {"url":"http://…","secret":"…"}, then
                 POST ${sim.url}/_control/demo/applications/<id>/hire  (or /stage, /reject, /withdraw)
`);

let closing = false;
const shutdown = (signal: string) => {
  if (closing) return;
  closing = true;
  console.log(`${signal}: stopping the Pinpoint simulator`);
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
