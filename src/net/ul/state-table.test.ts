import { describe, expect, it } from 'vitest';
import { NEXT_STATE } from '../../../test/support/ul-next-state.js';
import { ACTIONS, type ActionId, EVENTS, type FsmEvent, type State, STATES, TRANSITIONS } from './state-table.js';

/**
 * PS3.8 Table 9-10, "DICOM Upper Layer Protocol State Transition Table", row by row as the standard prints it
 * ('.' is an empty cell). Cross-checked against two independent transcriptions: DCMTK dcmnet/libsrc/dulfsm.cc
 * (StateTable) and pynetdicom fsm.py (TRANSITION_TABLE).
 */
const TABLE_9_10 = `
        Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
Evt1    AE-1  .     .     .     .     .     .     .     .     .     .     .     .
Evt2    .     .     .     AE-2  .     .     .     .     .     .     .     .     .
Evt3    .     AA-1  AA-8  .     AE-3  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt4    .     AA-1  AA-8  .     AE-4  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt5    AE-5  .     .     .     .     .     .     .     .     .     .     .     .
Evt6    .     AE-6  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
Evt7    .     .     AE-7  .     .     .     .     .     .     .     .     .     .
Evt8    .     .     AE-8  .     .     .     .     .     .     .     .     .     .
Evt9    .     .     .     .     .     DT-1  .     AR-7  .     .     .     .     .
Evt10   .     AA-1  AA-8  .     AA-8  DT-2  AR-6  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt11   .     .     .     .     .     AR-1  .     .     .     .     .     .     .
Evt12   .     AA-1  AA-8  .     AA-8  AR-2  AR-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt13   .     AA-1  AA-8  .     AA-8  AA-8  AR-3  AA-8  AA-8  AR-10 AR-3  AA-8  AA-6
Evt14   .     .     .     .     .     .     .     AR-4  AR-9  .     .     AR-4  .
Evt15   .     .     AA-1  AA-2  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  .
Evt16   .     AA-2  AA-3  .     AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-2
Evt17   .     AA-5  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AR-5
Evt18   .     AA-2  .     .     .     .     .     .     .     .     .     .     AA-2
Evt19   .     AA-1  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
`;

function parseTable(text: string): Map<string, ActionId | undefined> {
  const [header, ...rows] = text.trim().split('\n').map((line) => line.trim().split(/\s+/));
  const cells = new Map<string, ActionId | undefined>();
  for (const [event, ...actions] of rows) {
    expect(actions, `row ${event} has one cell per state`).toHaveLength(header.length);
    actions.forEach((action, i) => cells.set(`${event} ${header[i]}`, action === '.' ? undefined : (action as ActionId)));
  }
  return cells;
}

const STANDARD = parseTable(TABLE_9_10);
const ALL_STATES = Object.keys(STATES) as State[];
const ALL_EVENTS = Object.keys(EVENTS) as FsmEvent[];
const PAIRS = ALL_EVENTS.flatMap((event) => ALL_STATES.map((state) => [event, state] as const));

/** Events that arrive from the peer (a PDU, or bytes that are not one). */
const PDU_EVENTS: readonly FsmEvent[] = ['Evt3', 'Evt4', 'Evt6', 'Evt10', 'Evt12', 'Evt13', 'Evt16', 'Evt19'];
/** States in which the machine has a connected socket from which the peer's bytes are read. */
const CONNECTED_STATES: readonly State[] = ['Sta2', 'Sta3', 'Sta5', 'Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12', 'Sta13'];

describe('PS3.8 Table 9-10 (TRANSITIONS)', () => {
  it('has the 13 states of Tables 9-1 to 9-5, the 19 events and the 28 actions of Tables 9-6 to 9-9', () => {
    expect(ALL_STATES).toEqual(Array.from({ length: 13 }, (_, i) => `Sta${i + 1}`));
    expect(ALL_EVENTS).toEqual(Array.from({ length: 19 }, (_, i) => `Evt${i + 1}`));
    expect(Object.keys(ACTIONS).sort()).toEqual(Object.keys(NEXT_STATE).sort());
    expect(Object.keys(TRANSITIONS)).toEqual(ALL_EVENTS);
  });

  const defined = PAIRS.flatMap(([event, state]) => {
    const action = STANDARD.get(`${event} ${state}`);
    return action === undefined ? [] : [[event, state, action] as const];
  });
  it.each(defined)('%s in %s → %s', (event, state, action) => {
    expect(TRANSITIONS[event][state]).toBe(action);
  });

  it.each(PAIRS.filter(([event, state]) => STANDARD.get(`${event} ${state}`) === undefined))('%s in %s stays a hole', (event, state) => {
    expect(TRANSITIONS[event][state]).toBeUndefined();
  });

  it('defines the 123 cells of the standard and no others', () => {
    const defined = PAIRS.filter(([event, state]) => TRANSITIONS[event][state] !== undefined).length;
    expect([...STANDARD.values()].filter((a) => a !== undefined)).toHaveLength(123);
    expect(defined).toBe(123);
  });

  it('names only states and actions that exist', () => {
    for (const [event, row] of Object.entries(TRANSITIONS)) {
      for (const [state, action] of Object.entries(row)) {
        expect(STATES, `${event} ${state}`).toHaveProperty(state);
        expect(ACTIONS, `${event} ${state}`).toHaveProperty(action!);
      }
    }
  });

  it('uses every action of Tables 9-6 to 9-9 in some cell', () => {
    const used = new Set(PAIRS.map(([event, state]) => TRANSITIONS[event][state]).filter((a) => a !== undefined));
    expect([...used].sort()).toEqual(Object.keys(ACTIONS).sort());
  });

  it('has an entry for every PDU event in every state with a connected socket (nothing the peer sends can hit a hole)', () => {
    for (const event of PDU_EVENTS) {
      for (const state of CONNECTED_STATES) expect(TRANSITIONS[event][state], `${event} in ${state}`).toBeDefined();
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(TRANSITIONS)).toBe(true);
  });
});

describe('PS3.8 Tables 9-6 to 9-9: where each action leads', () => {
  // The next states as the standard prints them; upper-layer.test.ts checks that the machine goes there.
  it.each([
    ['AE-1', 'Sta4'], ['AE-2', 'Sta5'], ['AE-3', 'Sta6'], ['AE-4', 'Sta1'], ['AE-5', 'Sta2'], ['AE-6', 'Sta3'], ['AE-7', 'Sta6'], ['AE-8', 'Sta13'],
    ['DT-1', 'Sta6'], ['DT-2', 'Sta6'],
    ['AR-1', 'Sta7'], ['AR-2', 'Sta8'], ['AR-3', 'Sta1'], ['AR-4', 'Sta13'], ['AR-5', 'Sta1'], ['AR-6', 'Sta7'], ['AR-7', 'Sta8'], ['AR-8', 'Sta9'], ['AR-9', 'Sta11'], ['AR-10', 'Sta12'],
    ['AA-1', 'Sta13'], ['AA-2', 'Sta1'], ['AA-3', 'Sta1'], ['AA-4', 'Sta1'], ['AA-5', 'Sta1'], ['AA-6', 'Sta13'], ['AA-7', 'Sta13'], ['AA-8', 'Sta13'],
  ] as const)('%s → %s', (action, state) => {
    expect(NEXT_STATE[action]).toBe(state);
  });

  it('sends nothing back to Sta4 or Sta5 except AE-1 and AE-2 (only the requestor passes through them)', () => {
    const into = (target: State): ActionId[] => (Object.keys(NEXT_STATE) as ActionId[]).filter((a) => NEXT_STATE[a] === target);
    expect(into('Sta4')).toEqual(['AE-1']);
    expect(into('Sta5')).toEqual(['AE-2']);
  });
});
