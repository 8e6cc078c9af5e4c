/** Portico's Implementation Class UID (PS3.7 D.3.3.2), written in every file meta group and association. */
export const IMPLEMENTATION_CLASS_UID = '2.25.286522376408141025419524068343856778810';
/** Implementation Version Name: at most 16 characters of the default repertoire. */
export const IMPLEMENTATION_VERSION_NAME = 'PORTICO_010';
