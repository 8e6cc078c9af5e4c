/**
 * The DICOM Upper Layer state machine of PS3.8 §9.2 as data: states (Tables 9-1 to 9-5), events and actions
 * (Tables 9-6 to 9-9), and the state transition table (Table 9-10). A pair missing from TRANSITIONS is a hole
 * in the standard's table: the machine raises StateMachineError for it.
 */

export const STATES = {
  Sta1: 'Idle',
  Sta2: 'Transport connection open (awaiting A-ASSOCIATE-RQ PDU)',
  Sta3: 'Awaiting local A-ASSOCIATE response primitive',
  Sta4: 'Awaiting transport connection opening to complete',
  Sta5: 'Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU',
  Sta6: 'Association established and ready for data transfer',
  Sta7: 'Awaiting A-RELEASE-RP PDU',
  Sta8: 'Awaiting local A-RELEASE response primitive',
  Sta9: 'Release collision requestor side; awaiting A-RELEASE response',
  Sta10: 'Release collision acceptor side; awaiting A-RELEASE-RP PDU',
  Sta11: 'Release collision requestor side; awaiting A-RELEASE-RP PDU',
  Sta12: 'Release collision acceptor side; awaiting A-RELEASE response primitive',
  Sta13: 'Awaiting transport connection close indication',
} as const;
export type State = keyof typeof STATES;

export const EVENTS = {
  Evt1: 'A-ASSOCIATE request (local user)',
  Evt2: 'Transport connect confirmation (local transport service)',
  Evt3: 'A-ASSOCIATE-AC PDU received',
  Evt4: 'A-ASSOCIATE-RJ PDU received',
  Evt5: 'Transport connection indication (local transport service)',
  Evt6: 'A-ASSOCIATE-RQ PDU received',
  Evt7: 'A-ASSOCIATE response primitive (accept)',
  Evt8: 'A-ASSOCIATE response primitive (reject)',
  Evt9: 'P-DATA request primitive',
  Evt10: 'P-DATA-TF PDU received',
  Evt11: 'A-RELEASE request primitive',
  Evt12: 'A-RELEASE-RQ PDU received',
  Evt13: 'A-RELEASE-RP PDU received',
  Evt14: 'A-RELEASE response primitive',
  Evt15: 'A-ABORT request primitive',
  Evt16: 'A-ABORT PDU received',
  Evt17: 'Transport connection closed indication',
  Evt18: 'ARTIM timer expired',
  Evt19: 'Unrecognized or invalid PDU received',
} as const;
export type FsmEvent = keyof typeof EVENTS;

export const ACTIONS = {
  'AE-1': 'Issue TRANSPORT CONNECT request primitive to local transport service',
  'AE-2': 'Send A-ASSOCIATE-RQ PDU',
  'AE-3': 'Issue A-ASSOCIATE confirmation (accept) primitive',
  'AE-4': 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection',
  'AE-5': 'Issue transport connection response primitive; start ARTIM timer',
  'AE-6': 'Stop ARTIM timer; if A-ASSOCIATE-RQ acceptable, issue A-ASSOCIATE indication, else send A-ASSOCIATE-RJ and start ARTIM',
  'AE-7': 'Send A-ASSOCIATE-AC PDU',
  'AE-8': 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer',
  'DT-1': 'Send P-DATA-TF PDU',
  'DT-2': 'Send P-DATA indication primitive',
  'AR-1': 'Send A-RELEASE-RQ PDU',
  'AR-2': 'Issue A-RELEASE indication primitive',
  'AR-3': 'Issue A-RELEASE confirmation primitive and close transport connection',
  'AR-4': 'Issue A-RELEASE-RP PDU and start ARTIM timer',
  'AR-5': 'Stop ARTIM timer',
  'AR-6': 'Issue P-DATA indication',
  'AR-7': 'Issue P-DATA-TF PDU',
  'AR-8': 'Issue A-RELEASE indication (release collision)',
  'AR-9': 'Send A-RELEASE-RP PDU',
  'AR-10': 'Issue A-RELEASE confirmation primitive',
  'AA-1': 'Send A-ABORT PDU (service-user source) and start (or restart) ARTIM timer',
  'AA-2': 'Stop ARTIM timer if running; close transport connection',
  'AA-3': 'Issue A-ABORT (or A-P-ABORT) indication and close transport connection',
  'AA-4': 'Issue A-P-ABORT indication primitive',
  'AA-5': 'Stop ARTIM timer',
  'AA-6': 'Ignore PDU',
  'AA-7': 'Send A-ABORT PDU',
  'AA-8': 'Send A-ABORT PDU (service-provider source), issue A-P-ABORT indication, and start ARTIM timer',
} as const;
export type ActionId = keyof typeof ACTIONS;

type Row = Partial<Record<State, ActionId>>;

/** The states in which a PDU that has no business there gets AA-8 (Table 9-10 rows Evt3, Evt4, Evt6, Evt10, Evt12, Evt13, Evt19). */
const UNEXPECTED: Row = { Sta3: 'AA-8', Sta5: 'AA-8', Sta6: 'AA-8', Sta7: 'AA-8', Sta8: 'AA-8', Sta9: 'AA-8', Sta10: 'AA-8', Sta11: 'AA-8', Sta12: 'AA-8' };

/** PS3.8 Table 9-10, by event then state. */
export const TRANSITIONS: Readonly<Record<FsmEvent, Readonly<Row>>> = Object.freeze({
  Evt1: { Sta1: 'AE-1' },
  Evt2: { Sta4: 'AE-2' },
  Evt3: { ...UNEXPECTED, Sta2: 'AA-1', Sta5: 'AE-3', Sta13: 'AA-6' },
  Evt4: { ...UNEXPECTED, Sta2: 'AA-1', Sta5: 'AE-4', Sta13: 'AA-6' },
  Evt5: { Sta1: 'AE-5' },
  Evt6: { ...UNEXPECTED, Sta2: 'AE-6', Sta13: 'AA-7' },
  Evt7: { Sta3: 'AE-7' },
  Evt8: { Sta3: 'AE-8' },
  Evt9: { Sta6: 'DT-1', Sta8: 'AR-7' },
  Evt10: { ...UNEXPECTED, Sta2: 'AA-1', Sta6: 'DT-2', Sta7: 'AR-6', Sta13: 'AA-6' },
  Evt11: { Sta6: 'AR-1' },
  Evt12: { ...UNEXPECTED, Sta2: 'AA-1', Sta6: 'AR-2', Sta7: 'AR-8', Sta13: 'AA-6' },
  Evt13: { ...UNEXPECTED, Sta2: 'AA-1', Sta7: 'AR-3', Sta10: 'AR-10', Sta11: 'AR-3', Sta13: 'AA-6' },
  Evt14: { Sta8: 'AR-4', Sta9: 'AR-9', Sta12: 'AR-4' },
  Evt15: { Sta3: 'AA-1', Sta4: 'AA-2', Sta5: 'AA-1', Sta6: 'AA-1', Sta7: 'AA-1', Sta8: 'AA-1', Sta9: 'AA-1', Sta10: 'AA-1', Sta11: 'AA-1', Sta12: 'AA-1' },
  Evt16: { Sta2: 'AA-2', Sta3: 'AA-3', Sta5: 'AA-3', Sta6: 'AA-3', Sta7: 'AA-3', Sta8: 'AA-3', Sta9: 'AA-3', Sta10: 'AA-3', Sta11: 'AA-3', Sta12: 'AA-3', Sta13: 'AA-2' },
  Evt17: { Sta2: 'AA-5', Sta3: 'AA-4', Sta4: 'AA-4', Sta5: 'AA-4', Sta6: 'AA-4', Sta7: 'AA-4', Sta8: 'AA-4', Sta9: 'AA-4', Sta10: 'AA-4', Sta11: 'AA-4', Sta12: 'AA-4', Sta13: 'AR-5' },
  Evt18: { Sta2: 'AA-2', Sta13: 'AA-2' },
  Evt19: { ...UNEXPECTED, Sta2: 'AA-1', Sta13: 'AA-7' },
});
