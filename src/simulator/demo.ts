// The simulator's `demo` company, shared by `npm run pinpoint:sim` and the README test, so the
// walkthrough in the README runs against exactly what a user gets.
import type { PinpointSimulator } from './server.js';

/** The demo company's key when PINPOINT_SIM_API_KEY is unset: stable, so restarts keep it valid. */
export const DEFAULT_DEMO_API_KEY = 'sim_demo_key';

export function seedDemoCompany(sim: PinpointSimulator, apiKey: string) {
  return sim.store.createCompany({
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
}
