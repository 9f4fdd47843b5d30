// Read-only diagram with completed steps and current tokens marked (instance page).
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

async function show(container) {
  const viewer = new NavigatedViewer({ container });
  const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
  await viewer.importXML(await response.text());
  viewer.get('canvas').zoom('fit-viewport');
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const mark = (ids, cls) => ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, cls));
  mark(JSON.parse(container.dataset.completed || '[]'), 'alur-completed');
  mark(JSON.parse(container.dataset.active || '[]'), 'alur-active');
}

document.querySelectorAll('[data-bpmn-viewer]').forEach((el) => { show(el); });
