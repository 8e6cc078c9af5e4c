import type { PduLimits } from './types.js';

export type ResolvedPduLimits = Required<PduLimits>;

/**
 * Defaults for PduLimits. `maxPDataLength` and `maxAssociateLength` bound the whole PDU, the 6-byte header included:
 * a P-DATA-TF whose PDU-length field exceeds `maxPDataLength - 6` is refused (with the default, PDU-length ≤ 64 KiB,
 * i.e. our Maximum Length sub-item value).
 */
export const DEFAULT_PDU_LIMITS: ResolvedPduLimits = Object.freeze({
  maxPDataLength: 64 * 1024 + 6,
  maxAssociateLength: 256 * 1024,
  maxPresentationContexts: 128,
  maxItems: 1024,
});

export function resolvePduLimits(limits?: PduLimits): ResolvedPduLimits {
  if (limits === undefined) return DEFAULT_PDU_LIMITS;
  return {
    maxPDataLength: limits.maxPDataLength ?? DEFAULT_PDU_LIMITS.maxPDataLength,
    maxAssociateLength: limits.maxAssociateLength ?? DEFAULT_PDU_LIMITS.maxAssociateLength,
    maxPresentationContexts: limits.maxPresentationContexts ?? DEFAULT_PDU_LIMITS.maxPresentationContexts,
    maxItems: limits.maxItems ?? DEFAULT_PDU_LIMITS.maxItems,
  };
}
