// The live status page: renders each StatusSnapshot that GET /status/events sends (see
// packages/gateway/src/status-snapshot.ts). Plain script, no build step, nothing fetched but this
// gateway's own event stream.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#58a6ff', '#3fb950', '#d29922', '#bc8cff', '#f778ba', '#39c5cf', '#ff7b72', '#a5d6ff', '#7ee787', '#e3b341'];
const RING_OUTER = 100;
const RING_INNER = 66;

const $ = (id) => document.getElementById(id);

/** A node's colour, the same on every page and every snapshot: from its id. */
function colourOf(id) {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgElement(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

const integer = new Intl.NumberFormat('en');
const formatRate = (value) =>
  value === null || value === undefined ? '–' : value < 10 ? value.toFixed(1) : integer.format(Math.round(value));
const formatPercent = (share) => `${(share * 100).toFixed(1)} %`;
const formatLease = (ms) => (ms === undefined ? '–' : ms <= 0 ? 'none' : `${(ms / 1000).toFixed(1)} s`);

function renderBroker(snapshot) {
  const broker = snapshot.broker;
  $('epoch').textContent = broker ? String(broker.epoch) : '–';
  $('seq').textContent = broker ? integer.format(broker.seq) : '–';
  $('taking-writes').textContent = broker ? (broker.takingWrites ? 'taken' : 'held') : '–';
  $('partitioner').textContent = broker ? broker.partitioner : '';
  const writes = snapshot.rates.writes;
  const reads = snapshot.rates.reads;
  $('write-rate').textContent = formatRate(writes[writes.length - 1]);
  $('read-rate').textContent = formatRate(reads[reads.length - 1]);
  renderSparkline($('write-spark'), writes);
  renderSparkline($('read-spark'), reads);
}

/** One polyline a run of samples; an epoch change (null) breaks the line. */
function renderSparkline(svg, samples) {
  svg.replaceChildren();
  const max = Math.max(1, ...samples.filter((v) => v !== null));
  const step = 120 / 59;
  const offset = 60 - samples.length;
  let points = [];
  const flush = () => {
    if (points.length === 1) points.push(points[0].replace(/^[^,]+/, (x) => String(Number(x) + 0.5)));
    if (points.length > 1) svg.append(svgElement('polyline', { points: points.join(' ') }));
    points = [];
  };
  samples.forEach((value, i) => {
    if (value === null) return flush();
    points.push(`${((offset + i) * step).toFixed(1)},${(27 - (value / max) * 26).toFixed(1)}`);
  });
  flush();
  svg.dataset.samples = String(samples.length);
}

function arcPath(start, end) {
  // Angles clockwise from the top; a whole circle is drawn as two halves.
  if (end - start >= 0.9999) return `${arcPath(0, 0.5)} ${arcPath(0.5, 1)}`;
  const point = (fraction, radius) => {
    const angle = fraction * 2 * Math.PI - Math.PI / 2;
    return `${(Math.cos(angle) * radius).toFixed(3)} ${(Math.sin(angle) * radius).toFixed(3)}`;
  };
  const large = end - start > 0.5 ? 1 : 0;
  return (
    `M ${point(start, RING_OUTER)} A ${RING_OUTER} ${RING_OUTER} 0 ${large} 1 ${point(end, RING_OUTER)} ` +
    `L ${point(end, RING_INNER)} A ${RING_INNER} ${RING_INNER} 0 ${large} 0 ${point(start, RING_INNER)} Z`
  );
}

function renderRing(snapshot) {
  const svg = $('ring');
  svg.replaceChildren();
  if (snapshot.ring.length === 0) {
    svg.append(
      svgElement('circle', { r: (RING_OUTER + RING_INNER) / 2, fill: 'none', stroke: '#263241', 'stroke-width': RING_OUTER - RING_INNER }),
    );
  }
  for (const arc of snapshot.ring) {
    const path = svgElement('path', { d: arcPath(arc.start, arc.end), fill: colourOf(arc.node), class: 'arc', 'data-node': arc.node });
    const title = svgElement('title');
    title.textContent = arc.node;
    path.append(title);
    svg.append(path);
  }
  const ready = snapshot.nodes.filter((node) => node.state === 'ready');
  const label = svgElement('text', {
    'text-anchor': 'middle',
    'dominant-baseline': 'middle',
    fill: '#d8dee6',
    'font-size': 22,
    id: 'ring-ready',
  });
  label.textContent = `${ready.length} ready`;
  svg.append(label);

  const legend = $('ring-legend');
  legend.replaceChildren(
    ...ready.map((node) => {
      const item = element('li', { 'data-node': node.id });
      const swatch = element('span', { class: 'swatch' });
      swatch.style.background = colourOf(node.id);
      item.append(swatch, element('span', {}, node.id), element('span', { class: 'muted share' }, formatPercent(node.share)));
      return item;
    }),
  );
}

function renderNodes(snapshot) {
  const body = $('nodes').tBodies[0];
  body.replaceChildren(
    ...snapshot.nodes.map((node) => {
      const row = element('tr', { 'data-node': node.id, 'data-state': node.state });
      if (node.error) row.setAttribute('data-error', node.error.code);
      const stateCell = element('td');
      const pill = element(
        'span',
        { class: 'state', 'data-state': node.state },
        node.error ? `${node.state} · ${node.error.code}` : node.state,
      );
      if (node.error) pill.title = node.error.message;
      stateCell.append(pill);
      if (node.state === 'joining' && node.progress) {
        const percent = node.progress.percent;
        const bar = element('span', {
          class: 'progress',
          role: 'progressbar',
          'aria-valuemin': '0',
          'aria-valuemax': '100',
          'aria-valuenow': String(percent),
          'aria-label': `${node.id} join progress`,
        });
        const fill = element('span', { class: 'fill' });
        fill.style.display = 'block';
        fill.style.width = `${percent}%`;
        bar.append(fill);
        stateCell.append(
          bar,
          element(
            'span',
            { class: 'progress-text' },
            `${percent}% (${integer.format(node.progress.received)}/${integer.format(node.progress.total)})`,
          ),
        );
      }
      row.append(
        element('td', { class: 'id' }, node.id),
        stateCell,
        element('td', { class: 'num keys' }, integer.format(node.keys)),
        element('td', { class: 'num seq' }, integer.format(node.seq)),
        element('td', { class: 'num lag' }, node.lag === undefined ? '–' : integer.format(node.lag)),
        element('td', { class: 'digest' }, node.digest),
        element('td', { class: 'num lease' }, formatLease(node.leaseMs)),
        element('td', { class: 'num share' }, node.state === 'ready' ? formatPercent(node.share) : '–'),
        element('td', { class: 'endpoint' }, node.endpoint),
      );
      return row;
    }),
  );
  $('no-nodes').hidden = snapshot.nodes.length > 0;
  const ready = snapshot.nodes.filter((node) => node.state === 'ready').length;
  $('node-count').textContent = `${ready} ready of ${snapshot.nodes.length}`;
}

function render(snapshot) {
  const error = $('error');
  error.hidden = snapshot.error === undefined;
  error.textContent = snapshot.error ? `The broker did not answer: ${snapshot.error.code}: ${snapshot.error.message}` : '';
  renderBroker(snapshot);
  renderRing(snapshot);
  renderNodes(snapshot);
  $('updated').textContent = new Date(snapshot.at).toLocaleTimeString();
  $('interval').textContent = `${snapshot.intervalMs} ms`;
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
}

function connect() {
  const connection = $('connection');
  const events = new EventSource('/status/events');
  events.onopen = () => {
    connection.dataset.state = 'live';
    connection.textContent = 'live';
  };
  events.onerror = () => {
    connection.dataset.state = 'lost';
    connection.textContent = 'reconnecting…';
  };
  events.onmessage = (event) => render(JSON.parse(event.data));
}

connect();
