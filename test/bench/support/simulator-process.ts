// The Pinpoint simulator in a process of its own, as Pinpoint is remote in production: the sync
// benchmark's product process then spends its CPU on the product alone. Answers the benchmark's
// set-up and read-back calls over IPC; the product talks to it over real HTTP as before.
import type { CreateCompanyInput, SimFaults } from '../../../src/simulator/model.js';
import { startPinpointSimulator } from '../../../src/simulator/server.js';
import { notify, serveIpc } from './ipc.js';

const sim = await startPinpointSimulator({ port: 0 });

serveIpc({
  createCompany: (input) => {
    const company = sim.store.createCompany(input as CreateCompanyInput);
    return { jobIds: company.jobs.map((job) => job.id) };
  },
  setFaults: (args) => {
    const { domain, faults } = args as { domain: string; faults: SimFaults };
    sim.setFaults(domain, faults);
  },
  /** Entries of the company's request log from `from` on: method, path and when it was answered. */
  requests: (args) => {
    const { domain, from } = args as { domain: string; from: number };
    return sim.store
      .requestLog(domain)
      .slice(from)
      .map(({ method, path, at }) => ({ method, path, at }));
  },
  requestCount: (args) => sim.store.requestLog((args as { domain: string }).domain).length,
  counters: (args) => sim.store.counters((args as { domain: string }).domain),
  applicationCount: (args) => sim.store.listApplications((args as { domain: string }).domain).length,
  close: async () => {
    await sim.close();
    setImmediate(() => process.exit(0));
  },
});
notify('ready', { url: sim.url, baseUrlTemplate: sim.baseUrlTemplate });
