// A node's cassia.yaml read through the server's own validator, so `create` refuses a --set key or
// value the node would refuse, with the node's message.

import { parseConfig, type Config } from '../../server/config.js';
import { ConfigError } from '../../util/errors.js';
import { ClusterError } from './store.js';

/** Parses and validates cassia.yaml text; a bad key or value is a ClusterError naming the source. */
export function loadConfigText(text: string, source: string): Config {
  try {
    return parseConfig(text, { source });
  } catch (err) {
    if (err instanceof ConfigError) throw new ClusterError(err.message.includes(source) ? err.message : `${source}: ${err.message}`);
    throw err;
  }
}
