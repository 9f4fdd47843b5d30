// Read-only diagram with completed steps and current tokens marked (instance page).
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

async function show(container) {
  const viewer = new NavigatedViewer({ container });
  const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
  await viewer.importXML(await response.text());
  const canvas0 = viewer.get('canvas');
  // Fit the box to the diagram's shape so a wide SOP is not lost in empty space.
  const box = canvas0.viewbox().inner;
  if (box.width > 0) {
    const height = Math.round(container.clientWidth * (box.height / box.width)) + 40;
    container.style.height = `${Math.max(220, Math.min(height, 640))}px`;
    canvas0.resized();
  }
  canvas0.zoom('fit-viewport');
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const mark = (ids, cls) => ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, cls));
  mark(JSON.parse(container.dataset.completed || '[]'), 'alur-completed');
  mark(JSON.parse(container.dataset.active || '[]'), 'alur-active');
  mark(JSON.parse(container.dataset.incidents || '[]'), 'alur-incident');
  // A click on a step tells the page (the operator's "move here" form listens); the viewer itself stays read-only.
  viewer.on('element.click', (event) => {
    const element = event.element;
    if (!element || !element.businessObject || element.type === 'bpmn:Process') return;
    container.dispatchEvent(new CustomEvent('alur:element-click', {
      bubbles: true,
      detail: { id: element.id, type: element.type, name: element.businessObject.name || element.id },
    }));
  });
  container.dataset.ready = 'true';
}

document.querySelectorAll('[data-bpmn-viewer]').forEach((el) => { show(el); });
