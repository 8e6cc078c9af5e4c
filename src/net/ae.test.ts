import { describe, expect, it } from 'vitest';
import { parsePeer } from './ae.js';

describe('parsePeer', () => {
  it('reads AET@host:port, IPv6 in brackets', () => {
    expect(parsePeer('ORTHANC@localhost:4242')).toEqual({ aeTitle: 'ORTHANC', host: 'localhost', port: 4242 });
    expect(parsePeer('PACS@[::1]:104')).toEqual({ aeTitle: 'PACS', host: '::1', port: 104 });
  });

  it('refuses what is not a peer', () => {
    for (const bad of ['localhost:104', 'A@host', 'A@host:0', 'A@host:70000', 'SEVENTEENCHARSXXX@h:1', '@h:1']) expect(parsePeer(bad)).toBeUndefined();
  });
});
