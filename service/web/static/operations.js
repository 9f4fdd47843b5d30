// Operator pages: "move here" (a step clicked on the instance diagram fills the confirmation form) and the
// batch progress bar (polls the batch's status until it reaches 100%). No framework; CSP-friendly file.
(function () {
  const form = document.querySelector('[data-move-form]');
  const diagram = document.querySelector('[data-bpmn-viewer]');
  const movable = /Task$|CallActivity$|SubProcess$|IntermediateCatchEvent$/;
  if (form && diagram) {
    const confirmBox = form.querySelector('[data-move-confirm]');
    const hint = form.querySelector('[data-move-hint]');
    diagram.addEventListener('alur:element-click', (event) => {
      const detail = event.detail || {};
      if (!movable.test(detail.type || '')) return;
      form.querySelector('[data-move-target]').value = detail.id;
      form.querySelector('[data-move-name]').textContent = detail.name;
      confirmBox.hidden = false;
      hint.hidden = true;
      form.querySelector('button[type=submit]').focus();
    });
    form.querySelector('[data-move-cancel]').addEventListener('click', () => {
      confirmBox.hidden = true;
      hint.hidden = false;
      form.querySelector('[data-move-target]').value = '';
    });
  }

  const bar = document.querySelector('[data-batch-status]');
  if (bar) {
    const fill = bar.querySelector('[role=progressbar]');
    const text = bar.querySelector('[data-batch-text]');
    const failures = document.querySelector('[data-batch-failures]');
    const poll = async () => {
      const response = await fetch(bar.dataset.batchStatus, { credentials: 'same-origin' });
      if (!response.ok) return;
      const s = await response.json();
      fill.style.width = `${s.percent}%`;
      fill.setAttribute('aria-valuenow', String(s.percent));
      text.textContent = `${s.percent}% · ${s.completed}/${s.total}` + (s.failed ? ` · ${s.failed} ✗` : '');
      document.querySelector('[data-batch-failed]').hidden = !s.failed;
      if (failures) {
        failures.replaceChildren(...s.failures.map((f) => {
          const li = document.createElement('li');
          li.textContent = `${f.processInstanceId}: ${f.message}`;
          return li;
        }));
      }
      if (s.ended) { bar.dataset.done = 'true'; return; }
      setTimeout(poll, 1000);
    };
    poll();
  }
}());
