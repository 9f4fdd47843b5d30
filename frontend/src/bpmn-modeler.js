// BPMN modeler with the Camunda 7 properties panel; deploys the edited XML as a new version.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import { deployFromEditor, showLoadError } from './deploy.js';

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
  modeler.get('canvas').zoom('fit-viewport');
  root.querySelector('[data-deploy]').addEventListener('click', async () => {
    const { xml } = await modeler.saveXML({ format: true });
    await deployFromEditor(root, xml);
  });
  window.alurModeler = modeler;
  root.dataset.ready = 'true';   // tests and assistive scripts wait for this
}

document.querySelectorAll('[data-bpmn-modeler]').forEach((el) => { open(el).catch((err) => showLoadError(el, err)); });
