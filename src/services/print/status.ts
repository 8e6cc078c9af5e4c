/**
 * Print Management Service Class statuses (PS3.4 Annex H: Basic Film Session §H.4.1, Basic Film Box §H.4.2,
 * Image Box §H.4.3). C604H (image position collision) is retired but still sent by older printers.
 */
import { statusTable, type StatusTable } from '../../core/status.js';

export const PrintStatus = {
  MEMORY_ALLOCATION_NOT_SUPPORTED: 0xb600,
  FILM_SESSION_PRINTING_NOT_SUPPORTED: 0xb601,
  FILM_SESSION_EMPTY_PAGE: 0xb602,
  FILM_BOX_EMPTY_PAGE: 0xb603,
  IMAGE_DEMAGNIFIED: 0xb604,
  DENSITY_OUT_OF_RANGE: 0xb605,
  IMAGE_CROPPED: 0xb609,
  IMAGE_DECIMATED: 0xb60a,
  NO_FILM_BOX: 0xc600,
  FILM_SESSION_QUEUE_FULL: 0xc601,
  FILM_BOX_QUEUE_FULL: 0xc602,
  IMAGE_LARGER_THAN_BOX: 0xc603,
  IMAGE_POSITION_COLLISION: 0xc604,
  INSUFFICIENT_MEMORY: 0xc605,
  MORE_THAN_ONE_VOI_LUT: 0xc606,
  COMBINED_IMAGE_LARGER_THAN_BOX: 0xc613,
  UNPRINTED_FILM_BOX_EXISTS: 0xc616,
} as const;

export const PRINT_STATUS: StatusTable = statusTable('Print Management', [
  [0xb600, 'warning', 'Memory allocation not supported'],
  [0xb601, 'warning', 'Film session printing (collation) is not supported'],
  [0xb602, 'warning', 'Film Session SOP Instance hierarchy does not contain Image Box SOP Instances (empty page)'],
  [0xb603, 'warning', 'Film Box SOP Instance hierarchy does not contain Image Box SOP Instances (empty page)'],
  [0xb604, 'warning', 'Image size is larger than Image Box size, the image has been demagnified'],
  [0xb605, 'warning', "Requested Min Density or Max Density outside of printer's operating range; the printer will use its own minimum or maximum"],
  [0xb609, 'warning', 'Image size is larger than the Image Box size, the image has been cropped to fit'],
  [0xb60a, 'warning', 'Image size or Combined Print Image size is larger than the Image Box size, the image has been decimated to fit'],
  [0xc600, 'failure', 'Film Session SOP Instance hierarchy does not contain Film Box SOP Instances'],
  [0xc601, 'failure', 'Unable to create Print Job SOP Instance; print queue is full'],
  [0xc602, 'failure', 'Unable to create Print Job SOP Instance; print queue is full'],
  [0xc603, 'failure', 'Image size is larger than Image Box size'],
  [0xc604, 'failure', 'Image position collision (retired)'],
  [0xc605, 'failure', 'Insufficient memory in printer to store the image'],
  [0xc606, 'failure', 'More than one VOI LUT Sequence Item'],
  [0xc613, 'failure', 'Combined Print Image size is larger than the Image Box size'],
  [0xc616, 'failure', 'There is an existing Film Box that has not been printed and N-ACTION at the Film Session level is not supported'],
]);
