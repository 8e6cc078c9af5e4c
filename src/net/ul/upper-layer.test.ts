/**
 * One test per cell of PS3.8 Table 9-10 (after pynetdicom's tests/test_fsm.py): a real UpperLayer is brought into
 * the cell's state by a real exchange with a scripted raw-socket peer over loopback, the cell's event is fired (a
 * PDU or bytes from the peer, a local primitive, a close, the ARTIM timer), and the test checks the recorded
 * transition against the table and the next state against PS3.8 Tables 9-6 to 9-9, then the action's effect: what
 * reached the peer, what the user was told, whether the transport closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StateMachineError } from '../../core/errors.js';
import { encodePdu, pduName } from '../pdu/pdu-codec.js';
import { PduType } from '../pdu/types.js';
import {
  AC,
  INVALID_RELEASE_RQ,
  P_DATA,
  PEER_ABORT,
  RELEASE_RP,
  RELEASE_RQ,
  RJ,
  RQ,
  UNRECOGNIZED_PDU,
  type UpperLayerFixture,
} from '../../../test/support/upper-layer-fixture.js';
import { nextState } from '../../../test/support/ul-next-state.js';
import { openRoute, ROUTES, type RouteName } from '../../../test/support/upper-layer-routes.js';
import { type ActionId, EVENTS, type FsmEvent, type State, TRANSITIONS } from './state-table.js';

/** ARTIM for the cells that watch it fire (or not): short, so that the suite stays fast. */
const SHORT_ARTIM_MS = 100;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const fixtures: UpperLayerFixture[] = [];

afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

async function reach(route: RouteName, artimTimeout?: number): Promise<UpperLayerFixture> {
  const f = await openRoute(route, artimTimeout);
  fixtures.push(f);
  return f;
}

// -- Events: how each is fired --------------------------------------------------------------------------------------

const FIRE: Readonly<Record<FsmEvent, (f: UpperLayerFixture) => Promise<unknown> | unknown>> = {
  Evt1: (f) => f.requestConnection(),
  Evt2: (f) => f.connected(),
  Evt3: (f) => f.peer.send(AC),
  Evt4: (f) => f.peer.send(RJ),
  Evt5: (f) => f.peerConnects(),
  Evt6: (f) => f.peer.send(RQ),
  Evt7: (f) => f.ul.accept(AC),
  Evt8: (f) => f.ul.reject(RJ),
  Evt9: (f) => f.ul.sendData(P_DATA),
  Evt10: (f) => f.peer.send(P_DATA),
  Evt11: (f) => f.ul.release(),
  Evt12: (f) => f.peer.send(RELEASE_RQ),
  Evt13: (f) => f.peer.send(RELEASE_RP),
  Evt14: (f) => f.ul.releaseResponse(),
  Evt15: (f) => f.ul.abort(),
  Evt16: (f) => f.peer.send(PEER_ABORT),
  // The peer closes its side; with a refused connection there is no peer: the refusal is the close.
  Evt17: (f) => (f.hasPeer ? f.peer.end() : undefined),
  // Nothing to do but wait for the (short) ARTIM timer.
  Evt18: () => undefined,
  Evt19: (f) => f.peer.sendRaw(UNRECOGNIZED_PDU),
};

// -- Actions: what each must be seen to do ------------------------------------------------------------------------

interface EffectContext {
  readonly f: UpperLayerFixture;
  readonly event: FsmEvent;
  /** The state the event was fired in. */
  readonly state: State;
  /** Indications recorded before the event. */
  readonly since: number;
}

const indicationsAfter = ({ f, since }: EffectContext): unknown[] => f.indications.slice(since);

/** The A-ABORT reason the machine gives when it aborts for a PDU: the decode error's for Evt19, else unexpected-PDU. */
const providerReason = (event: FsmEvent): number => (event === 'Evt19' ? 1 : 2);

async function expectAbortPdu(f: UpperLayerFixture, source: number, reason: number): Promise<void> {
  const abort = await f.peer.expectPdu(PduType.A_ABORT);
  expect({ source: abort.source, reason: abort.reason }).toEqual({ source, reason });
}

async function expectPData(f: UpperLayerFixture): Promise<void> {
  const pdu = await f.peer.expectPdu(PduType.P_DATA_TF);
  expect(pdu.pdvs.map((p) => ({ ...p, data: [...p.data] }))).toEqual(P_DATA.pdvs.map((p) => ({ ...p, data: [...p.data] })));
}

function expectPDataIndication(c: EffectContext): void {
  const indications = indicationsAfter(c) as { kind: string; pdu?: { pdvs: { data: Uint8Array }[] } }[];
  expect(indications.map((i) => i.kind)).toEqual(['p-data']);
  expect([...indications[0].pdu!.pdvs[0].data]).toEqual([...P_DATA.pdvs[0].data]);
}

/** ARTIM was started: with nothing else happening, it expires in Sta13 (PS3.8 §9.1.4 d) and the transport is closed. */
async function expectArtimThenClose(f: UpperLayerFixture): Promise<void> {
  await f.waitForTransition('Evt18', 'Sta13');
  await f.waitForTransportClosed();
}

/** An ignored PDU: nothing sent back, no indication, the machine stays in Sta13 with the transport open. */
async function expectIgnored(c: EffectContext): Promise<void> {
  const sent = c.f.peer.received.length;
  await delay(100);
  expect(c.f.peer.received.length, 'PDUs sent in reply').toBe(sent);
  expect(indicationsAfter(c)).toEqual([]);
  expect(c.f.ul.state).toBe('Sta13');
  expect(c.f.socket.destroyed).toBe(false);
}

const EFFECT: Readonly<Record<ActionId, (c: EffectContext) => Promise<void> | void>> = {
  'AE-1': async ({ f }) => {
    // The transport connect request reached the peer's listener; the A-ASSOCIATE-RQ waits for Evt2.
    expect(f.hasPeer).toBe(true);
    await f.peer.expectSilence(50);
  },
  'AE-2': async ({ f }) => {
    const rq = await f.peer.expectPdu(PduType.A_ASSOCIATE_RQ);
    expect(rq).toMatchObject({ calledAeTitle: RQ.calledAeTitle, callingAeTitle: RQ.callingAeTitle, presentationContexts: RQ.presentationContexts });
  },
  'AE-3': (c) => {
    expect(indicationsAfter(c)).toEqual([{ kind: 'associate-ac', pdu: expect.objectContaining({ type: PduType.A_ASSOCIATE_AC, presentationContexts: AC.presentationContexts }) }]);
  },
  'AE-4': async (c) => {
    expect(indicationsAfter(c)[0]).toEqual({ kind: 'associate-rj', pdu: RJ });
    await c.f.peer.waitClosed();
    await c.f.waitForTransportClosed();
  },
  'AE-5': async ({ f }) => {
    // ARTIM was started: no A-ASSOCIATE-RQ comes, so it expires in Sta2.
    await f.waitForTransition('Evt18', 'Sta2');
  },
  'AE-6': async (c) => {
    expect(indicationsAfter(c)).toEqual([{ kind: 'associate-rq', pdu: expect.objectContaining({ calledAeTitle: RQ.calledAeTitle, callingAeTitle: RQ.callingAeTitle }) }]);
    // ARTIM was stopped: it does not expire while the user decides.
    await delay(SHORT_ARTIM_MS * 2.5);
    expect(c.f.transitions.filter((t) => t.event === 'Evt18')).toEqual([]);
    expect(c.f.ul.state).toBe('Sta3');
  },
  'AE-7': async ({ f }) => {
    const ac = await f.peer.expectPdu(PduType.A_ASSOCIATE_AC);
    expect(ac.presentationContexts).toEqual(AC.presentationContexts);
  },
  'AE-8': async ({ f }) => {
    const rj = await f.peer.expectPdu(PduType.A_ASSOCIATE_RJ);
    expect(rj).toEqual(RJ);
    await expectArtimThenClose(f);
  },
  'DT-1': ({ f }) => expectPData(f),
  'DT-2': (c) => expectPDataIndication(c),
  'AR-1': async ({ f }) => {
    await f.peer.expectPdu(PduType.A_RELEASE_RQ);
  },
  'AR-2': (c) => {
    expect(indicationsAfter(c)).toEqual([{ kind: 'release-rq', collision: false }]);
  },
  'AR-3': async (c) => {
    expect(indicationsAfter(c)[0]).toEqual({ kind: 'release-rp' });
    await c.f.peer.waitClosed();
    await c.f.waitForTransportClosed();
  },
  'AR-4': async ({ f }) => {
    await f.peer.expectPdu(PduType.A_RELEASE_RP);
    await expectArtimThenClose(f);
  },
  'AR-5': async (c) => {
    await c.f.waitForTransportClosed();
    await c.f.waitFor("the user's 'closed' indication", () => indicationsAfter(c).some((i) => (i as { kind: string }).kind === 'closed'));
    expect(indicationsAfter(c).filter((i) => (i as { kind: string }).kind === 'abort')).toEqual([]);
  },
  'AR-6': (c) => expectPDataIndication(c),
  'AR-7': ({ f }) => expectPData(f),
  'AR-8': (c) => {
    expect(indicationsAfter(c)).toEqual([{ kind: 'release-rq', collision: true }]);
  },
  'AR-9': async ({ f }) => {
    await f.peer.expectPdu(PduType.A_RELEASE_RP);
    expect(f.socket.destroyed).toBe(false);
  },
  'AR-10': (c) => {
    expect(indicationsAfter(c)).toEqual([{ kind: 'release-rp' }]);
    expect(c.f.socket.destroyed).toBe(false);
  },
  'AA-1': async (c) => {
    if (c.event === 'Evt15') {
      await expectAbortPdu(c.f, 0, 0);
      expect(indicationsAfter(c)).toEqual([{ kind: 'abort', source: 0, reason: 0, local: true }]);
    } else {
      // A PDU that has no place in Sta2: Portico aborts as the provider, with the reason (PS3.8 Table 9-26).
      await expectAbortPdu(c.f, 2, providerReason(c.event));
    }
    await expectArtimThenClose(c.f);
  },
  'AA-2': async (c) => {
    await c.f.peer.waitClosed();
    await c.f.waitForTransportClosed();
    if (c.state === 'Sta13') {
      // AA-2 issues no indication (Table 9-9), and in Sta13 there is no association left to abort (Table 9-5): a
      // release that completed (AR-4) must not be reported as an abort because the peer sent A-ABORT, not FIN.
      await c.f.waitFor("the user's 'closed' indication", () => indicationsAfter(c).some((i) => (i as { kind: string }).kind === 'closed'));
      expect(indicationsAfter(c)).toEqual([{ kind: 'closed' }]);
    }
  },
  'AA-3': async (c) => {
    expect(indicationsAfter(c)[0]).toEqual({ kind: 'abort', source: PEER_ABORT.source, reason: PEER_ABORT.reason, local: false });
    await c.f.peer.waitClosed();
    await c.f.waitForTransportClosed();
  },
  'AA-4': async (c) => {
    expect(indicationsAfter(c)[0]).toMatchObject({ kind: 'abort', source: 2, local: false });
    await c.f.waitForTransportClosed();
  },
  'AA-5': async (c) => {
    await c.f.waitForTransportClosed();
    expect(indicationsAfter(c).filter((i) => (i as { kind: string }).kind === 'abort')).toEqual([]);
  },
  'AA-6': (c) => expectIgnored(c),
  'AA-7': async (c) => {
    await expectAbortPdu(c.f, 2, providerReason(c.event));
  },
  'AA-8': async (c) => {
    const reason = providerReason(c.event);
    await expectAbortPdu(c.f, 2, reason);
    expect(indicationsAfter(c)).toEqual([{ kind: 'abort', source: 2, reason, local: true }]);
    await expectArtimThenClose(c.f);
  },
};

/** Actions whose effect includes ARTIM starting (or stopping, AE-6): those cells run with a short ARTIM. */
const WATCHES_ARTIM: readonly ActionId[] = ['AE-5', 'AE-6', 'AE-8', 'AR-4', 'AA-1', 'AA-8'];

function routeOf(event: FsmEvent, state: State): RouteName {
  if (state === 'Sta1') return event === 'Evt1' ? 'Sta1 (requestor)' : 'Sta1 (acceptor)';
  if (state === 'Sta4' && event === 'Evt17') return 'Sta4 (connection refused)';
  return state as RouteName;
}

interface Cell {
  readonly name: string;
  readonly event: FsmEvent;
  readonly state: State;
  readonly action: ActionId;
  readonly to: State;
  readonly route: RouteName;
}

function cell(event: FsmEvent, state: State, route: RouteName = routeOf(event, state)): Cell {
  const action = TRANSITIONS[event][state]!;
  const to = nextState(action, { requestor: ROUTES[route].requestor });
  const via = route === state ? '' : ` [${route}]`;
  return { name: `${state} + ${event} (${EVENTS[event]}) → ${action} → ${to}${via}`, event, state, action, to, route };
}

async function runCell({ event, state, action, to, route }: Cell): Promise<void> {
  const artim = event === 'Evt18' || WATCHES_ARTIM.includes(action) ? SHORT_ARTIM_MS : undefined;
  const f = await reach(route, artim);
  expect(f.ul.state).toBe(state);
  const since = f.indications.length;
  await FIRE[event](f);
  const transition = await f.waitForTransition(event, state);
  expect(transition).toEqual({ from: state, event, action, to });
  await EFFECT[action]({ f, event, state, since });
  // Every transition the machine took on the way, and after, is a cell of the table.
  for (const t of f.transitions) expect(TRANSITIONS[t.event][t.from], `${t.from} + ${t.event}`).toBe(t.action);
}

const STATES_IN_ORDER = Array.from({ length: 13 }, (_, i) => `Sta${i + 1}` as State);
const CELLS: readonly Cell[] = STATES_IN_ORDER.flatMap((state) =>
  (Object.keys(TRANSITIONS) as FsmEvent[]).filter((event) => TRANSITIONS[event][state] !== undefined).map((event) => cell(event, state)),
);

describe('UpperLayer: every cell of PS3.8 Table 9-10', () => {
  it('covers each of the 123 defined cells once', () => {
    const defined = (Object.keys(TRANSITIONS) as FsmEvent[]).flatMap((event) => Object.keys(TRANSITIONS[event]).map((state) => `${event} ${state}`));
    expect(CELLS.map((c) => `${c.event} ${c.state}`).sort()).toEqual(defined.sort());
    expect(CELLS).toHaveLength(123);
  });

  for (const state of STATES_IN_ORDER) {
    describe(state, () => {
      for (const c of CELLS.filter((c) => c.state === state)) it(c.name, () => runCell(c));
    });
  }
});

describe('UpperLayer: the other branch of two-way actions', () => {
  it('Sta2 + Evt6 (A-ASSOCIATE-RQ, protocol version 2) → AE-6 → Sta13: A-ASSOCIATE-RJ rejected-permanent, service-provider (ACSE), protocol-version-not-supported', async () => {
    const f = await reach('Sta2', SHORT_ARTIM_MS);
    f.peer.send({ ...RQ, protocolVersion: 2 });
    expect(await f.waitForTransition('Evt6', 'Sta2')).toEqual({ from: 'Sta2', event: 'Evt6', action: 'AE-6', to: nextState('AE-6', { requestor: false, rqAcceptable: false }) });
    expect(await f.peer.expectPdu(PduType.A_ASSOCIATE_RJ)).toEqual({ type: PduType.A_ASSOCIATE_RJ, result: 1, source: 2, reason: 2 });
    expect(f.indications.filter((i) => i.kind === 'associate-rq')).toEqual([]);
    await expectArtimThenClose(f);
  });

  it('Sta7 + Evt12 (A-RELEASE-RQ PDU received) → AR-8 → Sta10 on the acceptor (release collision, acceptor side)', async () => {
    await runCell(cell('Evt12', 'Sta7', 'Sta7 (acceptor)'));
  });
});

describe('UpperLayer: Evt19 aborts with the reason of the decode error', () => {
  it.each([
    ['Sta2', 'AA-1'],
    ['Sta6', 'AA-8'],
  ] as const)('%s + Evt19 (A-RELEASE-RQ with PDU-length 6) → %s: A-ABORT service-provider, invalid-PDU-parameter-value (6)', async (state, action) => {
    const f = await reach(state);
    f.peer.sendRaw(INVALID_RELEASE_RQ);
    expect(await f.waitForTransition('Evt19', state)).toEqual({ from: state, event: 'Evt19', action, to: 'Sta13' });
    await expectAbortPdu(f, 2, 6);
  });
});

describe('UpperLayer: Sta13 reached by the other ways in', () => {
  const routes = ['Sta13 (after AE-8)', 'Sta13 (after AA-1)', 'Sta13 (after AA-8)'] as const;
  const events: readonly FsmEvent[] = ['Evt10', 'Evt16', 'Evt17', 'Evt18'];
  for (const c of routes.flatMap((route) => events.map((event) => cell(event, 'Sta13', route)))) it(c.name, () => runCell(c));
});

describe('UpperLayer: P-DATA from pre-encoded chunks (sendDataChunks)', () => {
  it.each([
    ['Sta6', 'DT-1'],
    ['Sta8', 'AR-7'],
  ] as const)('%s + Evt9 (header and data as separate chunks) → %s: the peer receives one P-DATA-TF', async (state, action) => {
    const f = await reach(state);
    const whole = encodePdu(P_DATA);
    expect(f.ul.sendDataChunks([whole.subarray(0, 12), whole.subarray(12)])).toBe(true);
    expect(await f.waitForTransition('Evt9', state)).toEqual({ from: state, event: 'Evt9', action, to: state });
    await expectPData(f);
  });
});

describe('UpperLayer: a local primitive in a hole of the table', () => {
  const HOLES: readonly (readonly [RouteName, FsmEvent, string, (f: UpperLayerFixture) => unknown])[] = [
    ['Sta2', 'Evt9', 'sendData', (f) => f.ul.sendData(P_DATA)],
    ['Sta2', 'Evt7', 'accept', (f) => f.ul.accept(AC)],
    ['Sta3', 'Evt11', 'release', (f) => f.ul.release()],
    ['Sta5', 'Evt14', 'releaseResponse', (f) => f.ul.releaseResponse()],
    ['Sta5', 'Evt9', 'sendData', (f) => f.ul.sendData(P_DATA)],
    ['Sta6', 'Evt7', 'accept', (f) => f.ul.accept(AC)],
    ['Sta6', 'Evt8', 'reject', (f) => f.ul.reject(RJ)],
    ['Sta6', 'Evt2', 'connected', (f) => f.ul.connected()],
    ['Sta6', 'Evt14', 'releaseResponse', (f) => f.ul.releaseResponse()],
    ['Sta7', 'Evt9', 'sendData', (f) => f.ul.sendData(P_DATA)],
    ['Sta7', 'Evt9', 'sendDataChunks', (f) => f.ul.sendDataChunks([encodePdu(P_DATA)])],
    ['Sta7', 'Evt11', 'release', (f) => f.ul.release()],
    ['Sta10', 'Evt14', 'releaseResponse', (f) => f.ul.releaseResponse()],
    ['Sta11', 'Evt14', 'releaseResponse', (f) => f.ul.releaseResponse()],
    ['Sta13', 'Evt9', 'sendData', (f) => f.ul.sendData(P_DATA)],
    ['Sta13', 'Evt14', 'releaseResponse', (f) => f.ul.releaseResponse()],
  ];

  it.each(HOLES)('%s + %s (%s) throws StateMachineError, sends nothing and stays put', async (route, event, _primitive, fire) => {
    const f = await reach(route);
    const state = f.ul.state;
    expect(TRANSITIONS[event][state]).toBeUndefined();
    const before = f.transitions.length;
    let thrown: unknown;
    try {
      fire(f);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StateMachineError);
    expect(thrown).toMatchObject({ code: 'ERR_STATE_MACHINE', state, event });
    expect(f.ul.state).toBe(state);
    expect(f.transitions.slice(before)).toEqual([]);
    await f.peer.expectSilence(50);
  });

  it.each(['Sta2', 'Sta13'] as const)('abort() in %s (no Evt15 there) throws nothing, sends no A-ABORT and closes the transport', async (state) => {
    const f = await reach(state);
    const sent = f.peer.received.length;
    expect(() => f.ul.abort()).not.toThrow();
    await f.waitForTransportClosed();
    await f.peer.waitClosed();
    expect(f.peer.received.slice(sent).map((p) => pduName(p.type))).toEqual([]);
    expect(f.ul.state).toBe('Sta1');
    expect(f.transitions.at(-1)).toMatchObject({ from: state, event: 'Evt17', to: 'Sta1' });
  });
});
