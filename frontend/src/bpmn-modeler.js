// BPMN modeler with the Camunda 7 properties panel; deploys the edited XML as a new version.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import { deployFromEditor, showLoadError } from './deploy.js';

// fit-viewport uses the whole canvas, but the palette floats over its left edge: fit the diagram into the
// width right of the palette instead, centred vertically, never zoomed in beyond 100%.
function fitBesidePalette(canvas, root) {
  canvas.zoom('fit-viewport');
  const palette = root.querySelector('.djs-palette');
  const container = root.querySelector('[data-canvas]');
  const inset = palette ? Math.max(0, palette.getBoundingClientRect().right - container.getBoundingClientRect().left) + 16 : 16;
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height || outer.width <= inset + 20) return;
  const scale = Math.min((outer.width - inset - 16) / inner.width, (outer.height - 32) / inner.height, 1);
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: inner.x - inset / scale, y: inner.y - (height - inner.height) / 2, width, height });
}

async function open(root) {
  const modeler = new BpmnModeler({
    container: root.querySelector('[data-canvas]'),
    propertiesPanel: { parent: root.querySelector('[data-properties]') },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
    ],
    moddleExtensions: { camunda: camundaModdle },
  });
  const response = await fetch(root.dataset.xmlUrl, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  await modeler.importXML(await response.text());
  fitBesidePalette(modeler.get('canvas'), root);
  root.querySelector('[data-deploy]').addEventListener('click', async () => {
    const { xml } = await modeler.saveXML({ format: true });
    await deployFromEditor(root, xml);
  });
  window.alurModeler = modeler;
  root.dataset.ready = 'true';   // tests and assistive scripts wait for this
}

document.querySelectorAll('[data-bpmn-modeler]').forEach((el) => { open(el).catch((err) => showLoadError(el, err)); });
