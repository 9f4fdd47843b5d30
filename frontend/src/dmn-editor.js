// Decision table editor; deploys the edited DMN as a new version.
import DmnModeler from 'dmn-js/lib/Modeler';
import camundaModdle from 'camunda-dmn-moddle/resources/camunda.json';
import { deployFromEditor, showLoadError } from './deploy.js';

async function open(root) {
  const modeler = new DmnModeler({
    container: root.querySelector('[data-canvas]'),
    common: { keyboard: { bindTo: window } },
    moddleExtensions: { camunda: camundaModdle },
  });
  const response = await fetch(root.dataset.xmlUrl, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  await modeler.importXML(await response.text());
  const views = modeler.getViews();
  const table = views.find((v) => v.type === 'decisionTable' && v.element.id === root.dataset.decisionKey)
    || views.find((v) => v.type === 'decisionTable');
  if (table) await modeler.open(table);
  root.querySelector('[data-deploy]').addEventListener('click', async () => {
    const { xml } = await modeler.saveXML({ format: true });
    await deployFromEditor(root, xml);
  });
  window.alurDmnModeler = modeler;
  root.dataset.ready = 'true';
}

document.querySelectorAll('[data-dmn-editor]').forEach((el) => { open(el).catch((err) => showLoadError(el, err)); });
