// The request shapes live with the server (src/server/requestShape.ts); the fake backend reads them from there.
export { MAX_BODY_BYTES, MAX_ID_LENGTH, parsePullRequest, parsePushRequest, utf8Length } from '../server/requestShape.js';
