/**
 * `vernacular hub …` (the steward's side) and `vernacular node …` (a node operator's side) of
 * federation: enrolment tokens, enrolled nodes and their standing, signature audits; enrolment,
 * the hub link's status, and a sync now.
 */
import { HubRegistry } from '../hub/registry.ts';
import { verifyBatches } from '../hub/audit.ts';
import { FederationAgent, HubError } from '../node/agent.ts';
import { loadOrCreateNodeKey } from '../trust/keys.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';
import { withStore } from './database.ts';
import { ModelStore, modelsRoot } from '../models/store.ts';
import { certificateInfo, keyMatches, loadCertificate } from '../tls/files.ts';
import { publishableAddress } from '../tls/names.ts';
import { lanAddresses } from './serve.ts';

export const HUB_HELP = `Usage:
  vernacular hub token create --name <node name> [--days <n>]
  vernacular hub node list [--json]
  vernacular hub node revoke <node id or name> [--quarantine]
  vernacular hub node quarantine|unquarantine <node id or name>
  vernacular hub verify

The steward's commands, run on the hub's machine.
  token create   Makes a one-time enrolment token (valid --days, default 7) for a
                 node called --name; give it to that node's operator.
  node list      Enrolled nodes: id, name, standing, quarantine, last push/pull.
  node revoke    Refuses everything the node sends from now on (it says so in its
                 status); with --quarantine, also leaves out of every release
                 everything it ever sent.
  node quarantine / unquarantine
                 Leaves out of releases (or takes back into them) everything the
                 node ever sent; its records stay stored.
  verify         Re-verifies every batch signature the hub holds against the
                 records stored now; exits 1 if any does not verify.

Options:
  --data <dir>        The hub's data folder (default ${DEFAULT_DATA_DIR})
  --database <url>    PostgreSQL URL (default: $DATABASE_URL, else SQLite in --data)`;

export const NODE_HELP = `Usage:
  vernacular node enroll --hub <url> --token <token>
  vernacular node status [--json]
  vernacular node sync
  vernacular node certificate [--dnsmasq] [--lan-address <addr,...>]

A node operator's commands, run on the node's machine.
  enroll   Presents this node's key (made on its first start, kept in the data
           folder as node-key.pem) to the hub with a one-time token from the
           hub's steward. A running \`vernacular serve\` starts federating on
           its next start.
  status   The hub link: last push and pull, records waiting for the hub, the
           last problem in words, and the records the hub refused (set aside:
           kept here, not sent again, so the rest flows).
  sync     Pushes what the hub lacks and pulls what changed there, now.
  certificate
           The certificate \`serve\` got from the hub for this node's name
           (name, addresses, end, fingerprint). With --dnsmasq: the lines that
           make dnsmasq (on the library's router, or this machine's hotspot)
           answer the name on a network with no internet.

Options:
  --data <dir>        The node's data folder (default ${DEFAULT_DATA_DIR})
  --database <url>    PostgreSQL URL (default: $DATABASE_URL, else SQLite in --data)`;

const COMMON = {
  data: { type: 'string' },
  database: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;


export async function hub(args: string[], io: Output): Promise<number> {
  const [group, action, ...rest] = args;
  if (group === undefined || group === '-h' || group === '--help') {
    io.out(HUB_HELP);
    return group === undefined ? 2 : 0;
  }
  if (group === 'token' && action === 'create') {
    const { values } = parseOptions(rest, { ...COMMON, name: { type: 'string' }, days: { type: 'string' } }, 'hub');
    if (values.help) return (io.out(HUB_HELP), 0);
    const name = values.name?.trim();
    if (name === undefined || name === '' || name.length > 120) throw new UsageError('hub token create needs --name "<node name>" (at most 120 characters)', 'hub');
    const days = values.days === undefined ? 7 : Number(values.days);
    if (!Number.isFinite(days) || days <= 0 || days > 365) throw new UsageError('--days must be a number of days from 1 to 365', 'hub');
    return withStore(values, async (store) => {
      const { token, expiresAt } = await new HubRegistry(store.db).createToken(name, days);
      io.out(token);
      io.err(`One-time enrolment token for "${name}", valid until ${expiresAt}. On that node run:\n  vernacular node enroll --hub <this hub's address> --token ${token}`);
      return 0;
    });
  }
  if (group === 'node') {
    const { values, positionals } = parseOptions(rest, { ...COMMON, quarantine: { type: 'boolean' }, json: { type: 'boolean' } }, 'hub', true);
    if (values.help) return (io.out(HUB_HELP), 0);
    return withStore(values, async (store) => {
      const registry = new HubRegistry(store.db);
      if (action === 'list') {
        const nodes = await registry.nodes();
        if (values.json) io.out(JSON.stringify(nodes, null, 2));
        else if (nodes.length === 0) io.out('No node is enrolled yet; make a token with `vernacular hub token create --name …`.');
        else {
          for (const n of nodes) {
            io.out(`${n.id}  ${n.state}${n.quarantined ? ' quarantined' : ''}  ${n.name}  (holds through ${n.cursor}; last push ${n.lastPushAt ?? 'never'}, last pull ${n.lastPullAt ?? 'never'})`);
          }
        }
        return 0;
      }
      const target = positionals[0];
      if (target === undefined) throw new UsageError(`hub node ${action ?? ''} needs a node id or name`, 'hub');
      const node = await registry.find(target);
      switch (action) {
        case 'revoke':
          await registry.setState(node.id, 'revoked');
          if (values.quarantine) await registry.setQuarantined(node.id, true);
          io.out(`Revoked ${node.id} (${node.name})${values.quarantine ? '; everything it sent is quarantined' : ''}.`);
          return 0;
        case 'quarantine':
        case 'unquarantine':
          await registry.setQuarantined(node.id, action === 'quarantine');
          io.out(`${action === 'quarantine' ? 'Quarantined' : 'Took back'} everything ${node.id} (${node.name}) sent${action === 'quarantine' ? '; releases leave it out' : ''}.`);
          return 0;
        default:
          throw new UsageError(`unknown hub node action "${action ?? ''}"`, 'hub');
      }
    });
  }
  if (group === 'verify') {
    const { values } = parseOptions([action, ...rest].filter((a) => a !== undefined), COMMON, 'hub');
    if (values.help) return (io.out(HUB_HELP), 0);
    return withStore(values, async (store) => {
      const report = await verifyBatches(store);
      io.out(`${report.batches} batches, ${report.records} records: ${report.failures.length === 0 ? 'every signature verifies' : `${report.failures.length} do not verify`}.`);
      for (const f of report.failures.slice(0, 20)) io.err(`  ${f.node} (${f.after}, ${f.through}]: ${f.reason}`);
      return report.failures.length === 0 ? 0 : 1;
    });
  }
  throw new UsageError(`unknown hub command "${[group, action].filter(Boolean).join(' ')}"`, 'hub');
}

export async function node(args: string[], io: Output): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === '-h' || action === '--help') {
    io.out(NODE_HELP);
    return action === undefined ? 2 : 0;
  }
  const { values } = parseOptions(rest, { ...COMMON, hub: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' }, dnsmasq: { type: 'boolean' }, 'lan-address': { type: 'string' } }, 'node');
  if (values.help) return (io.out(NODE_HELP), 0);
  if (action === 'certificate') return certificate(values.data ?? DEFAULT_DATA_DIR, values, io);
  return withStore(values, async (store, dataDir) => {
    const agent = new FederationAgent({ store, key: loadOrCreateNodeKey(dataDir), models: new ModelStore(modelsRoot(dataDir)), log: (line) => io.err(line) });
    switch (action) {
      case 'enroll': {
        if (values.hub === undefined || values.token === undefined) throw new UsageError('node enroll needs --hub <url> and --token <token>', 'node');
        try {
          const answer = await agent.enroll(values.hub, values.token);
          io.out(`Enrolled as ${answer.node.id} ("${answer.node.name}") with ${answer.hub.name} at ${values.hub}.`);
          return 0;
        } catch (err) {
          if (err instanceof HubError) {
            io.err(`vernacular: the hub refused the enrolment: ${err.message} (${err.code})`);
            return 1;
          }
          throw new Error(`The hub at ${values.hub} cannot be reached: ${(err as Error).message}`, { cause: err });
        }
      }
      case 'status': {
        const status = await agent.status();
        if (values.json) {
          io.out(JSON.stringify(status, null, 2));
          return 0;
        }
        if (!status.enrolled) {
          io.out(`Not enrolled with a hub. ${status.backlog} records held here. Enrol with \`vernacular node enroll --hub URL --token T\`.`);
          return 0;
        }
        io.out(`Node ${status.node!.id} ("${status.node!.name}") → hub ${status.hub}`);
        io.out(`Link: ${status.state}`);
        io.out(`Last push: ${status.lastPushAt ?? 'never'}; last pull: ${status.lastPullAt ?? 'never'}`);
        io.out(`Waiting for the hub: ${status.backlog} records`);
        if (status.error !== undefined) io.out(`Problem: ${status.error}`);
        if (status.retryAt !== undefined) io.out(`The hub asked to wait: next exchange at ${status.retryAt}`);
        if (status.setAside !== undefined) {
          io.out(`Refused by the hub and set aside (kept here, not sent again): ${status.setAside.count} records${status.setAside.count > status.setAside.recent.length ? `; the latest ${status.setAside.recent.length}:` : ':'}`);
          for (const r of status.setAside.recent) io.out(`  ${r.id}: ${r.code}${r.field ? ` (${r.field})` : ''}: ${r.message} [${r.refusedAt}]`);
        }
        for (const m of status.missingModels ?? []) {
          const name = `${m.id}${m.revision ? `@${m.revision}` : ''}`;
          if (m.hub === undefined) {
            io.out(`Missing model ${name} (named by ${m.campaigns.join(', ')}); the hub does not offer it either.`);
            continue;
          }
          const dtype = m.hub.dtypes.includes('q4f16') ? 'q4f16' : (m.hub.dtypes[0] ?? 'fp32');
          io.out(`Missing model ${name} (named by ${m.campaigns.join(', ')}): fetch it with \`vernacular models pull ${m.id} --revision ${m.hub.revision} --dtype ${dtype} --host ${status.hub}/models\``);
        }
        return status.state === 'ok' ? 0 : 1;
      }
      case 'sync': {
        try {
          const { push, pull } = await agent.syncOnce();
          io.out(`Pushed ${push.records} records in ${push.batches} batches (${push.accepted} new to the hub, ${push.duplicate} it had, ${push.problems} refused); pulled ${pull.withdrawals} withdrawals, ${pull.campaigns} campaign changes and ${pull.gold ?? 0} gold items.`);
          return push.problems === 0 ? 0 : 1;
        } catch (err) {
          const status = await agent.status();
          io.err(`vernacular: ${status.error ?? (err as Error).message}`);
          return 1;
        }
      }
      default:
        throw new UsageError(`unknown node command "${action}"`, 'node');
    }
  });
}

/** `vernacular node certificate`: what `serve` holds, and with --dnsmasq the lines for a LAN with no internet. */
function certificate(dataDir: string, values: { dnsmasq?: boolean | undefined; 'lan-address'?: string | undefined }, io: Output): number {
  const pair = loadCertificate(dataDir);
  if (pair === undefined || !keyMatches(pair)) {
    io.err('This node has no certificate yet: `vernacular serve` gets one from a hub that gives them, once enrolled (see the README: HTTPS).');
    return 1;
  }
  const info = certificateInfo(pair.cert);
  const given = values['lan-address']?.split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (given !== undefined && !given.every(publishableAddress)) throw new UsageError('--lan-address must be LAN IP addresses (private, link-local or loopback), separated by commas', 'node');
  const addresses = given ?? lanAddresses().filter(publishableAddress);
  const name = info.names[0]!;
  if (values.dnsmasq) {
    io.out(`# dnsmasq: answer ${name} on this network (put in /etc/dnsmasq.d/vernacular.conf, then restart dnsmasq)`);
    for (const address of addresses) io.out(`address=/${name}/${address}`);
    return 0;
  }
  io.out(`Name: ${name}`);
  io.out(`Addresses: ${addresses.join(', ') || 'none found'}`);
  io.out(`Valid until: ${info.notAfter.toISOString()}${info.notAfter.getTime() < Date.now() ? ' (expired)' : ''}`);
  io.out(`Fingerprint (SHA-256): ${info.fingerprint}`);
  return 0;
}
