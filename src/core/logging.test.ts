import { describe, expect, it } from 'vitest';
import { createLogger, formatText } from './logging.js';

describe('logging', () => {
  it('writes one readable text line per record, fields as key=value', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    logger.info({ contexts: 1, detail: 'two words' }, 'association A → B: released');
    logger.debug('hidden without verbose');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO association A → B: released contexts=1 detail="two words"\n$/);
  });

  it('writes JSON lines with json, and debug with verbose', () => {
    const lines: string[] = [];
    const logger = createLogger({ json: true, verbose: true, write: (l) => lines.push(l) });
    logger.debug({ fsm: 'Sta1 Evt5 AE-5 → Sta2' }, 'transition');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 20, msg: 'transition', fsm: 'Sta1 Evt5 AE-5 → Sta2' });
    expect(formatText('not json')).toBe('not json');
  });
});
