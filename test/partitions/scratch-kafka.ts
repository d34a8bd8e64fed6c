/**
 * A throw-away single-node Kafka (KRaft) for a test that changes topics: the local stack's jars
 * (.stack/kafka/jars, fetched by `bash scripts/stack.sh up`), its own ports and a temporary data
 * directory, so raising a partition count never touches the shared broker's topics.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createKafka } from '@agent-ledger/kafka';
import { freePort, waitFor, WORKSPACE_ROOT } from '@agent-ledger/testing';

const JARS = path.join(WORKSPACE_ROOT, '.stack/kafka/jars');
const JAVA_OPTS = ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${path.join(WORKSPACE_ROOT, 'infra/kafka/log4j.properties')}`];

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

export class ScratchKafka {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'agent-ledger-scratch-kafka-'));
  private child?: ChildProcess;
  brokers = '';

  async start(): Promise<this> {
    const [port, controllerPort] = [await freePort(), await freePort()];
    this.brokers = `127.0.0.1:${port}`;
    const props = path.join(this.dir, 'server.properties');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'inter.broker.listener.name=PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${path.join(this.dir, 'data')}`,
        'auto.create.topics.enable=false',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'num.network.threads=2',
        'num.io.threads=2',
        'log.cleaner.enable=false',
      ].join('\n'),
    );
    let clusterId = '-';
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    execFileSync('java', [...JAVA_OPTS, '-cp', `${JARS}/*`, 'kafka.tools.StorageTool', 'format', '--cluster-id', clusterId, '--config', props], { stdio: 'pipe' });
    const log = openSync(path.join(this.dir, 'kafka.log'), 'a');
    this.child = spawn('java', [...JAVA_OPTS, '-cp', `${JARS}/*`, 'kafka.Kafka', props], { stdio: ['ignore', log, log] });
    // The port first (a client connecting earlier logs every refused attempt), then a metadata answer.
    await waitFor(() => this.child?.exitCode === null && portOpen(port), { timeoutMs: 90_000, intervalMs: 250, what: `the scratch broker listening on ${this.brokers}` }).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.logs().slice(-3000)}`);
    });
    const admin = createKafka({ brokers: [this.brokers], clientId: 'scratch-kafka' }).admin();
    await waitFor(
      async () => {
        try {
          await admin.connect();
          await admin.listTopics();
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 90_000, intervalMs: 500, what: `a scratch Kafka broker on ${this.brokers}` },
    );
    await admin.disconnect();
    return this;
  }

  logs(): string {
    return readFileSync(path.join(this.dir, 'kafka.log'), 'utf8');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
