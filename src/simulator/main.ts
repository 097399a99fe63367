// Entry for `npm run pinpoint:sim`: a local Pinpoint with a seeded `demo` company, so the BFF can
// be run and explored without a real Pinpoint account.
import { randomBytes } from 'node:crypto';
import { startPinpointSimulator } from './server.js';

const port = Number(process.env.PINPOINT_SIM_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PINPOINT_SIM_PORT must be a port number, got "${process.env.PINPOINT_SIM_PORT}"`);
  process.exit(1);
}

const sim = await startPinpointSimulator({ port });
// A fresh key per run: nothing real should ever depend on a simulator key.
const apiKey = `sim_${randomBytes(12).toString('hex')}`;
const demo = sim.store.createCompany({
  domain: 'demo',
  apiKeys: [{ key: apiKey }],
  jobs: [
    { title: 'Senior Backend Engineer' },
    { title: 'Product Designer' },
    { title: 'Customer Success Manager', requiredFields: ['phone', 'phone_iso2'] },
    { title: 'Office Manager (filled)', status: 'closed' },
  ],
  customFields: [
    { label: 'Company', fieldType: 'varchar', resourceType: 'candidate' },
    { label: 'Job title', fieldType: 'varchar', resourceType: 'candidate' },
    { label: 'Location', fieldType: 'varchar', resourceType: 'candidate' },
    { label: 'Outreach campaign', fieldType: 'varchar', resourceType: 'application' },
  ],
});

console.log(`Pinpoint simulator listening on ${sim.url}

  domain:  demo
  API key: ${apiKey}
  jobs:    ${demo.jobs.map((j) => `${j.id} ${j.title}`).join(', ')}

Run the BFF against it with:
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
