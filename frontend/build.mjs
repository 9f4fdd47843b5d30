// Bundles the editors and the viewer into service/web/static/vendor (served by the app).
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'service', 'web', 'static', 'vendor');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: {
    'bpmn-viewer': join(here, 'src', 'bpmn-viewer.js'),
    'bpmn-modeler': join(here, 'src', 'bpmn-modeler.js'),
    'dmn-editor': join(here, 'src', 'dmn-editor.js'),
  },
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outdir: out,
  loader: { '.svg': 'text' },
  logLevel: 'warning',
});

const css = [
  ['bpmn-js/dist/assets/diagram-js.css', 'diagram-js.css'],
  ['bpmn-js/dist/assets/bpmn-js.css', 'bpmn-js.css'],
  ['bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css', 'bpmn-embedded.css'],
  ['@bpmn-io/properties-panel/dist/assets/properties-panel.css', 'properties-panel.css'],
  ['dmn-js/dist/assets/diagram-js.css', 'dmn-diagram-js.css'],
  ['dmn-js/dist/assets/dmn-js-shared.css', 'dmn-js-shared.css'],
  ['dmn-js/dist/assets/dmn-js-drd.css', 'dmn-js-drd.css'],
  ['dmn-js/dist/assets/dmn-js-decision-table.css', 'dmn-js-decision-table.css'],
  ['dmn-js/dist/assets/dmn-js-decision-table-controls.css', 'dmn-js-decision-table-controls.css'],
  ['dmn-js/dist/assets/dmn-js-literal-expression.css', 'dmn-js-literal-expression.css'],
  ['dmn-js/dist/assets/dmn-font/css/dmn-embedded.css', 'dmn-embedded.css'],
];
for (const [src, name] of css) {
  cpSync(join(here, 'node_modules', src), join(out, name));
}
