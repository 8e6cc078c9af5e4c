import { VerificationSOPClass } from './uids.js';
import type { ScpService } from '../../net/service.js';

/** The Verification SCP (PS3.4 Annex A): every C-ECHO-RQ gets Success. */
export function verificationScp(transferSyntaxes: readonly string[]): ScpService {
  return {
    name: 'Verification',
    sopClasses: [VerificationSOPClass],
    commands: [0x0030],
    transferSyntaxes,
    handle: async () => ({ status: 0x0000 }),
  };
}
