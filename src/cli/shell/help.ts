// HELP text: the command list, and one paragraph per topic.

const TOPICS: ReadonlyMap<string, string> = new Map([
  ['DESCRIBE', `DESCRIBE (or DESC) prints schema as CQL that recreates it:
  DESCRIBE KEYSPACES              names of all keyspaces
  DESCRIBE KEYSPACE [ks]          CREATE KEYSPACE, its types and tables (default: current keyspace)
  DESCRIBE TABLES                 table names (current keyspace, or all keyspaces)
  DESCRIBE TABLE [ks.]table       CREATE TABLE with all options, and its indexes
  DESCRIBE TYPES                  user type names
  DESCRIBE TYPE [ks.]type         CREATE TYPE
  DESCRIBE CLUSTER                cluster name and partitioner
  DESCRIBE [FULL] SCHEMA          every non-system keyspace (FULL: system ones too)
  DESCRIBE name                   a keyspace, table or type by name`],
  ['CONSISTENCY', `CONSISTENCY [level]  shows or sets the consistency level of later statements
  (ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, SERIAL, LOCAL_SERIAL, LOCAL_ONE; default ONE).`],
  ['SERIAL', `SERIAL CONSISTENCY [SERIAL|LOCAL_SERIAL]  shows or sets the serial consistency of conditional updates.`],
  ['TRACING', `TRACING [ON|OFF]  traces later statements and prints the server's trace events after each result.`],
  ['EXPAND', `EXPAND [ON|OFF]  prints each row vertically, one column per line (@ Row N).`],
  ['PAGING', `PAGING [ON|OFF|N]  pages results (default ON, 100 rows); in a terminal ---MORE--- waits for Enter.
  Without a terminal (-e, -f, piped input) all pages are printed.`],
  ['SOURCE', `SOURCE 'file'  runs the statements in a file; errors name the file and line.`],
  ['SHOW', `SHOW VERSION  shell, server, CQL and protocol versions.
SHOW HOST     the cluster and address connected to.`],
  ['USE', `USE keyspace;  makes keyspace the current one (the prompt shows it).`],
  ['EXIT', `EXIT or QUIT  leaves the shell (Ctrl-D too).`],
  ['CLEAR', `CLEAR or CLS  clears the terminal.`],
]);

/** HELP with no topic lists the commands; HELP topic explains one. */
export function helpText(topic?: string): string {
  if (topic === undefined) {
    return `
Shell commands (end with a newline or ;):
  CLEAR  CONSISTENCY  DESCRIBE  EXIT  EXPAND  HELP  PAGING  QUIT
  SERIAL CONSISTENCY  SHOW  SOURCE  TRACING

CQL statements end with ; and may span lines: SELECT, INSERT, UPDATE, DELETE,
BATCH, USE, CREATE/ALTER/DROP KEYSPACE/TABLE/TYPE/INDEX, TRUNCATE, ...

HELP <command> explains a shell command.

`;
  }
  const key = topic.split(/\s+/)[0] === 'DESC' ? 'DESCRIBE' : topic.split(/\s+/)[0]!;
  const text = TOPICS.get(key === 'QUIT' ? 'EXIT' : key === 'CLS' ? 'CLEAR' : key);
  return text === undefined ? `No help on '${topic}'. HELP lists the commands.\n` : `\n${text}\n\n`;
}
