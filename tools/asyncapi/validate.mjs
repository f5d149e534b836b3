// Validates an AsyncAPI document with the official parser, then every Avro payload with the official
// Avro schema parser (the parser's AsyncAPI 3 ruleset does not run custom schema validators itself).
// Prints every diagnostic; exits 1 when any is an error. Usage: node validate.mjs FILE
import { readFileSync } from 'node:fs';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import yaml from 'js-yaml';

const file = process.argv[2];
const text = readFileSync(file, 'utf8');
const avro = AvroSchemaParser();
const parser = new Parser();
parser.registerSchemaParser(avro);
const { document, diagnostics } = await parser.parse(text, { source: file });
let errors = 0;
for (const d of diagnostics) {
  if (d.severity === DiagnosticSeverity.Error) errors += 1;
  console.log(`${DiagnosticSeverity[d.severity]} ${d.code} ${d.path.join('.')}: ${d.message}`);
}
const messages = yaml.load(text)?.components?.messages ?? {};
let avroPayloads = 0;
for (const [name, message] of Object.entries(messages)) {
  const payload = message.payload ?? {};
  if (!avro.getMimeTypes().includes(payload.schemaFormat)) continue;
  avroPayloads += 1;
  for (const problem of await avro.validate({ data: payload.schema, path: ['components', 'messages', name] })) {
    errors += 1;
    console.log(`Error avro-schema components.messages.${name}.payload: ${problem.message}`);
  }
}
if (errors || !document) process.exit(1);
console.log(`valid: ${document.channels().length} channels, ${document.messages().length} messages, ${avroPayloads} Avro payloads`);
