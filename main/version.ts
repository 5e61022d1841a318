/** Lanfold's version, as in package.json (a unit test keeps the two equal). */
export const LANFOLD_VERSION = '0.1.0';
/** Protocol version spoken on the wire (the hello carries it). */
export const PROTOCOL_VERSION = 3;
