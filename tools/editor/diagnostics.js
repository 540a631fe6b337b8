// Minimal LSP client for tests/test_schema_texts.py: open one YAML file in yaml-language-server
// (installed with npm in $CONVENANT_YAML_LANGUAGE_SERVER_DIR) and print its diagnostics.
const { spawn } = require('child_process');
const fs = require('fs');
const file = process.argv[2];
const text = fs.readFileSync(file, 'utf8');
const uri = 'file://' + file;
const srv = spawn('node', [require.resolve('yaml-language-server/bin/yaml-language-server', { paths: [process.env.CONVENANT_YAML_LANGUAGE_SERVER_DIR || '.'] }), '--stdio']);
let buf = Buffer.alloc(0), id = 0;
function send(msg) { const s = JSON.stringify({ jsonrpc: '2.0', ...msg }); srv.stdin.write(`Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`); }
srv.stdout.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (;;) {
    const h = buf.indexOf('\r\n\r\n'); if (h < 0) return;
    const len = +/Content-Length: (\d+)/.exec(buf.slice(0, h).toString())[1];
    if (buf.length < h + 4 + len) return;
    const msg = JSON.parse(buf.slice(h + 4, h + 4 + len).toString()); buf = buf.slice(h + 4 + len);
    if (msg.method === 'workspace/configuration') send({ id: msg.id, result: msg.params.items.map(() => ({ validate: true, hover: true, completion: true })) });
    else if (msg.id !== undefined && msg.method) send({ id: msg.id, result: null });
    if (msg.method === 'textDocument/publishDiagnostics' && msg.params.uri === uri && msg.params.diagnostics.length) {
      for (const d of msg.params.diagnostics) console.log(`${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
      process.exit(0);
    }
  }
});
send({ id: ++id, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } } });
send({ method: 'initialized', params: {} });
send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: { validate: true, schemaStore: { enable: false } } } } });
send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } });
setTimeout(() => { console.log('(no diagnostics)'); process.exit(1); }, 15000);
