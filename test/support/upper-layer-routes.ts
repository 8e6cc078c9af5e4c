/**
 * How a real UpperLayer is brought into each state of PS3.8 §9.2 by real exchanges with a scripted peer (after the
 * per-state setups of pynetdicom's tests/test_fsm.py): a route is the role the machine plays and the steps, each an
 * event fired by the peer or the local user, with the state the machine must then be in.
 */
import { type Pdu, PduType } from '../../src/net/pdu/types.js';
import type { State } from '../../src/net/ul/state-table.js';
import { AC, RELEASE_RP, RELEASE_RQ, RJ, RQ, UpperLayerFixture } from './upper-layer-fixture.js';

export interface Step {
  readonly to: State;
  readonly run: (f: UpperLayerFixture) => Promise<void> | void;
}

const peerSends = (pdu: Pdu, to: State): Step => ({ to, run: (f) => f.peer.send(pdu) });

const localThenPeerReceives = (to: State, primitive: (f: UpperLayerFixture) => void, type: Pdu['type']): Step => ({
  to,
  run: async (f) => {
    primitive(f);
    await f.peer.expectPdu(type);
  },
});

const STEP = {
  /** Evt5 → AE-5. */
  peerConnects: { to: 'Sta2', run: (f) => f.peerConnects() },
  /** Evt1 → AE-1. */
  requestConnection: { to: 'Sta4', run: (f) => f.requestConnection() },
  /** Evt2 → AE-2 (the peer takes the A-ASSOCIATE-RQ). */
  connected: {
    to: 'Sta5',
    run: async (f) => {
      await f.connected();
      await f.peer.expectPdu(PduType.A_ASSOCIATE_RQ);
    },
  },
  /** Evt6 → AE-6. */
  rq: peerSends(RQ, 'Sta3'),
  /** Evt7 → AE-7. */
  accept: localThenPeerReceives('Sta6', (f) => f.ul.accept(AC), PduType.A_ASSOCIATE_AC),
  /** Evt3 → AE-3. */
  ac: peerSends(AC, 'Sta6'),
  /** Evt11 → AR-1. */
  release: localThenPeerReceives('Sta7', (f) => f.ul.release(), PduType.A_RELEASE_RQ),
  /** Evt12 → AR-2 (Sta6) or AR-8 (Sta7). */
  releaseRq: (to: State): Step => peerSends(RELEASE_RQ, to),
  /** Evt13 → AR-10 (Sta10). */
  releaseRp: (to: State): Step => peerSends(RELEASE_RP, to),
  /** Evt14 → AR-4 (Sta8, Sta12) or AR-9 (Sta9). */
  releaseResponse: (to: State): Step => localThenPeerReceives(to, (f) => f.ul.releaseResponse(), PduType.A_RELEASE_RP),
  /** Evt8 → AE-8. */
  reject: localThenPeerReceives('Sta13', (f) => f.ul.reject(RJ), PduType.A_ASSOCIATE_RJ),
  /** Evt15 → AA-1. */
  abort: localThenPeerReceives('Sta13', (f) => f.ul.abort(), PduType.A_ABORT),
  /** Evt6 in Sta6 → AA-8. */
  unexpectedRq: {
    to: 'Sta13',
    run: async (f) => {
      f.peer.send(RQ);
      await f.peer.expectPdu(PduType.A_ABORT);
    },
  },
} as const satisfies Record<string, Step | ((to: State) => Step)>;

export interface Route {
  readonly requestor: boolean;
  readonly refused?: boolean;
  readonly steps: readonly Step[];
}

const ACCEPTOR_STA6: readonly Step[] = [STEP.peerConnects, STEP.rq, STEP.accept];
const REQUESTOR_STA6: readonly Step[] = [STEP.requestConnection, STEP.connected, STEP.ac];
const REQUESTOR_STA9: readonly Step[] = [...REQUESTOR_STA6, STEP.release, STEP.releaseRq('Sta9')];
const ACCEPTOR_STA10: readonly Step[] = [...ACCEPTOR_STA6, STEP.release, STEP.releaseRq('Sta10')];

export const ROUTES = {
  'Sta1 (acceptor)': { requestor: false, steps: [] },
  'Sta1 (requestor)': { requestor: true, steps: [] },
  Sta2: { requestor: false, steps: [STEP.peerConnects] },
  Sta3: { requestor: false, steps: [STEP.peerConnects, STEP.rq] },
  Sta4: { requestor: true, steps: [STEP.requestConnection] },
  'Sta4 (connection refused)': { requestor: true, refused: true, steps: [STEP.requestConnection] },
  Sta5: { requestor: true, steps: [STEP.requestConnection, STEP.connected] },
  Sta6: { requestor: true, steps: REQUESTOR_STA6 },
  Sta7: { requestor: true, steps: [...REQUESTOR_STA6, STEP.release] },
  'Sta7 (acceptor)': { requestor: false, steps: [...ACCEPTOR_STA6, STEP.release] },
  Sta8: { requestor: true, steps: [...REQUESTOR_STA6, STEP.releaseRq('Sta8')] },
  Sta9: { requestor: true, steps: REQUESTOR_STA9 },
  Sta10: { requestor: false, steps: ACCEPTOR_STA10 },
  Sta11: { requestor: true, steps: [...REQUESTOR_STA9, STEP.releaseResponse('Sta11')] },
  Sta12: { requestor: false, steps: [...ACCEPTOR_STA10, STEP.releaseRp('Sta12')] },
  /** After AR-4: the acceptor answered the peer's release and waits for it to close. */
  Sta13: { requestor: false, steps: [...ACCEPTOR_STA6, STEP.releaseRq('Sta8'), STEP.releaseResponse('Sta13')] },
  'Sta13 (after AE-8)': { requestor: false, steps: [STEP.peerConnects, STEP.rq, STEP.reject] },
  'Sta13 (after AA-1)': { requestor: true, steps: [...REQUESTOR_STA6, STEP.abort] },
  'Sta13 (after AA-8)': { requestor: true, steps: [...REQUESTOR_STA6, STEP.unexpectedRq] },
} as const satisfies Record<string, Route>;
export type RouteName = keyof typeof ROUTES;

/** A fixture for `route`, with every step taken; the caller closes it. */
export async function openRoute(route: RouteName, artimTimeout?: number): Promise<UpperLayerFixture> {
  const { requestor, refused, steps }: Route = ROUTES[route];
  const f = await UpperLayerFixture.create({ requestor, refused, artimTimeout });
  try {
    for (const step of steps) {
      await step.run(f);
      await f.waitForState(step.to);
    }
  } catch (error) {
    await f.close();
    throw error;
  }
  return f;
}
