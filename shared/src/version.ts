// The release, for `shellgate --version` (gateway and client alike). It must equal package.json's
// version, which the CLI tests check: the standalone client has no package.json to read it from.
export const SHELLGATE_VERSION = '0.1.0';
