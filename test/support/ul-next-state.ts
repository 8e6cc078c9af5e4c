/**
 * PS3.8 Tables 9-6 to 9-9 as the tests read them: the state each Upper Layer action leads to. Transcribed from the
 * standard (not from src/net/ul), so that the machine's recorded transitions can be checked against it.
 */
import type { ActionId, State } from '../../src/net/ul/state-table.js';

/** "Next state is …" of every action. AE-6 and AR-8 have two outcomes: see nextState(). */
export const NEXT_STATE: Readonly<Record<ActionId, State>> = Object.freeze({
  'AE-1': 'Sta4',
  'AE-2': 'Sta5',
  'AE-3': 'Sta6',
  'AE-4': 'Sta1',
  'AE-5': 'Sta2',
  'AE-6': 'Sta3', // the A-ASSOCIATE-RQ is acceptable to the service-provider; otherwise A-ASSOCIATE-RJ and Sta13
  'AE-7': 'Sta6',
  'AE-8': 'Sta13',
  'DT-1': 'Sta6',
  'DT-2': 'Sta6',
  'AR-1': 'Sta7',
  'AR-2': 'Sta8',
  'AR-3': 'Sta1',
  'AR-4': 'Sta13',
  'AR-5': 'Sta1',
  'AR-6': 'Sta7',
  'AR-7': 'Sta8',
  'AR-8': 'Sta9', // association-requestor; Sta10 if not
  'AR-9': 'Sta11',
  'AR-10': 'Sta12',
  'AA-1': 'Sta13',
  'AA-2': 'Sta1',
  'AA-3': 'Sta1',
  'AA-4': 'Sta1',
  'AA-5': 'Sta1',
  'AA-6': 'Sta13',
  'AA-7': 'Sta13',
  'AA-8': 'Sta13',
});

export interface NextStateContext {
  /** Whether the machine is the association-requestor (AR-8). */
  readonly requestor: boolean;
  /** Whether the A-ASSOCIATE-RQ is acceptable to the service-provider (AE-6); default true. */
  readonly rqAcceptable?: boolean;
}

/** The state PS3.8 says `action` leads to, for a machine in the given role. */
export function nextState(action: ActionId, context: NextStateContext): State {
  if (action === 'AR-8') return context.requestor ? 'Sta9' : 'Sta10';
  if (action === 'AE-6') return (context.rqAcceptable ?? true) ? 'Sta3' : 'Sta13';
  return NEXT_STATE[action];
}
