/**
 * "A new configuration version was published for these APs": how a node
 * wakes the agents long-polling it, whichever node published. In process
 * for one node; Redis pub/sub for many (aedes' mqemitter seam). Fire and
 * forget: a lost notification only delays an agent until its poll times out
 * and re-reads the store, which stays the source of truth.
 */
export interface ConfigChange {
  readonly tenantId: string;
  readonly apId: string;
  readonly version: number;
  readonly checksum: string;
}

export type ConfigChangeListener = (changes: readonly ConfigChange[]) => void;

export interface ConfigNotifier {
  readonly backend: 'memory' | 'redis';
  /** Delivers the batch to every subscriber of every node, this one included. */
  publish(changes: readonly ConfigChange[]): Promise<void>;
  /** Returns the unsubscribe function. A throwing listener does not stop the others. */
  subscribe(listener: ConfigChangeListener): () => void;
  /** Resolves once this node receives what any node publishes from now on. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
