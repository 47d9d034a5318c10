// cov HTML report: theme toggle, index sorting/filtering/tree, file-page navigation (n/p, j/k).
// Loaded from <head> (no inline scripts under the Content-Security-Policy).
(function () {
  'use strict';
  var root = document.documentElement;
  var stored = null;
  try {
    stored = window.localStorage.getItem('cov-theme');
  } catch {
    stored = null;
  }
  if (stored === 'light' || stored === 'dark') root.setAttribute('data-theme', stored);

  function currentTheme() {
    var explicit = root.getAttribute('data-theme');
    if (explicit === 'light' || explicit === 'dark') return explicit;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches
      ? 'dark'
      : 'light';
  }

  function setupTheme() {
    var button = document.getElementById('theme-toggle');
    if (!button) return;
    button.addEventListener('click', function () {
      var next = currentTheme() === 'dark' ? 'light' : 'dark';
      root.setAttribute('data-theme', next);
      try {
        window.localStorage.setItem('cov-theme', next);
      } catch {
        /* storage unavailable: the choice lasts for this page only */
      }
    });
  }

  // ---------- index page ----------
  function rowsOf(table) {
    return Array.prototype.slice.call(table.tBodies[0].rows);
  }

  function sortValue(row, key) {
    if (key === 'name') return row.getAttribute('data-name').toLowerCase();
    var cell = row.cells[Number(key) + 1];
    return cell ? Number(cell.getAttribute('data-value')) : -1;
  }

  function compareRows(key, direction) {
    return function (a, b) {
      var x = sortValue(a, key);
      var y = sortValue(b, key);
      var result = x < y ? -1 : x > y ? 1 : 0;
      if (result === 0 && key !== 'name') {
        var n = sortValue(a, 'name');
        var m = sortValue(b, 'name');
        return n < m ? -1 : n > m ? 1 : 0;
      }
      return result * direction;
    };
  }

  function sortTable(table, key, direction) {
    var rows = rowsOf(table);
    var body = table.tBodies[0];
    if (table.id === 'tree') {
      // sort siblings, directories first, keeping each folder's rows under it
      var children = {};
      rows.forEach(function (row) {
        var parent = row.getAttribute('data-parent');
        (children[parent] = children[parent] || []).push(row);
      });
      var ordered = [];
      var walk = function (parent) {
        var list = (children[parent] || []).slice();
        var dirs = list.filter(function (r) {
          return r.classList.contains('dir');
        });
        var files = list.filter(function (r) {
          return !r.classList.contains('dir');
        });
        dirs.sort(compareRows(key, direction));
        files.sort(compareRows(key, direction));
        dirs.concat(files).forEach(function (row) {
          ordered.push(row);
          walk(row.id);
        });
      };
      walk('');
      ordered.forEach(function (row) {
        body.appendChild(row);
      });
    } else {
      rows.sort(compareRows(key, direction)).forEach(function (row) {
        body.appendChild(row);
      });
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.classList.remove('sorted-asc', 'sorted-desc');
      th.removeAttribute('aria-sort');
      if (th.getAttribute('data-sort') === key) {
        th.classList.add(direction > 0 ? 'sorted-asc' : 'sorted-desc');
        th.setAttribute('aria-sort', direction > 0 ? 'ascending' : 'descending');
      }
    });
  }

  /** Makes every `th[data-sort]` of the table sort it on click, Enter or Space. */
  function makeSortable(table) {
    var state = { key: null, direction: 1 };
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var key = th.getAttribute('data-sort');
      if (key === null) return;
      th.setAttribute('tabindex', '0');
      var activate = function () {
        // names sort A→Z first, numbers lowest first (the files needing work)
        state.direction = state.key === key ? -state.direction : 1;
        state.key = key;
        sortTable(table, key, state.direction);
      };
      th.addEventListener('click', activate);
      th.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          activate();
        }
      });
    });
  }

  // the engine comparison's index: one flat table, sortable, filtered by name
  function setupCompareIndex() {
    var files = document.getElementById('files');
    var filter = document.getElementById('cmp-filter');
    if (!files || !filter) return;
    var shown = document.getElementById('cmp-shown');
    makeSortable(files);
    filter.addEventListener('input', function () {
      var text = filter.value.trim().toLowerCase();
      var count = 0;
      rowsOf(files).forEach(function (row) {
        var ok = text === '' || row.getAttribute('data-path').toLowerCase().indexOf(text) !== -1;
        row.hidden = !ok;
        if (ok) count++;
      });
      shown.textContent = count + (count === 1 ? ' file' : ' files');
    });
  }

  function setupIndex() {
    var tree = document.getElementById('tree');
    var flat = document.getElementById('flat');
    if (!tree || !flat) return;
    var filter = document.getElementById('filter');
    var level = document.getElementById('level');
    var shown = document.getElementById('shown');
    var treeButton = document.getElementById('view-tree');
    var flatButton = document.getElementById('view-flat');
    var collapsed = {};

    [tree, flat].forEach(makeSortable);

    var treeRows = rowsOf(tree);
    var byId = {};
    treeRows.forEach(function (row) {
      byId[row.id] = row;
    });

    function ancestorsOpen(row) {
      var parent = row.getAttribute('data-parent');
      while (parent) {
        if (collapsed[parent]) return false;
        parent = byId[parent] ? byId[parent].getAttribute('data-parent') : '';
      }
      return true;
    }

    function matches(row, text, wanted) {
      var path = row.getAttribute('data-path').toLowerCase();
      return (
        (text === '' || path.indexOf(text) !== -1) &&
        (wanted === '' || row.getAttribute('data-level') === wanted)
      );
    }

    function apply() {
      var text = filter.value.trim().toLowerCase();
      var wanted = level.value;
      var filtering = text !== '' || wanted !== '';
      var count = 0;
      rowsOf(flat).forEach(function (row) {
        var ok = matches(row, text, wanted);
        row.hidden = !ok;
        if (ok) count++;
      });
      var visible = {};
      treeRows.forEach(function (row) {
        if (row.classList.contains('dir') || !matches(row, text, wanted)) return;
        visible[row.id] = true;
        var parent = row.getAttribute('data-parent');
        while (parent) {
          visible[parent] = true;
          parent = byId[parent] ? byId[parent].getAttribute('data-parent') : '';
        }
      });
      treeRows.forEach(function (row) {
        var show = visible[row.id] === true && (filtering || ancestorsOpen(row));
        row.hidden = !show;
      });
      shown.textContent = count + (count === 1 ? ' file' : ' files');
    }

    tree.addEventListener('click', function (event) {
      var button = event.target.closest ? event.target.closest('button.toggle') : null;
      if (!button) return;
      var row = button.closest('tr');
      collapsed[row.id] = !collapsed[row.id];
      button.setAttribute('aria-expanded', collapsed[row.id] ? 'false' : 'true');
      apply();
    });
    filter.addEventListener('input', apply);
    level.addEventListener('change', apply);

    function showView(which) {
      var isTree = which === 'tree';
      tree.hidden = !isTree;
      flat.hidden = isTree;
      treeButton.classList.toggle('active', isTree);
      flatButton.classList.toggle('active', !isTree);
      treeButton.setAttribute('aria-pressed', String(isTree));
      flatButton.setAttribute('aria-pressed', String(!isTree));
    }
    treeButton.addEventListener('click', function () {
      showView('tree');
    });
    flatButton.addEventListener('click', function () {
      showView('flat');
    });
    apply();
  }

  // ---------- file page ----------
  function setupFile() {
    var source = document.getElementById('source');
    if (!source) return;
    // stops of the main view only (sub-views have none)
    var stops = Array.prototype.slice.call(source.querySelectorAll('.stop'));
    var status = document.getElementById('stop-status');
    var index = -1;
    var currentRow = null;

    function go(step) {
      if (stops.length === 0) return;
      index =
        index < 0
          ? step > 0
            ? 0
            : stops.length - 1
          : (index + step + stops.length) % stops.length;
      var stop = stops[index];
      if (currentRow) currentRow.classList.remove('current');
      currentRow = stop.closest('tr');
      if (currentRow) currentRow.classList.add('current');
      stop.focus({ preventScroll: true });
      (currentRow || stop).scrollIntoView({ block: 'center' });
      if (status) {
        status.textContent =
          (status.getAttribute('data-label') || 'uncovered') +
          ' ' +
          (index + 1) +
          ' of ' +
          stops.length +
          ' — line ' +
          stop.getAttribute('data-line');
      }
    }

    var next = document.getElementById('next-stop');
    var prev = document.getElementById('prev-stop');
    if (next)
      next.addEventListener('click', function () {
        go(1);
      });
    if (prev)
      prev.addEventListener('click', function () {
        go(-1);
      });
    document.addEventListener('keydown', function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      if (
        target &&
        (target.tagName === 'INPUT' ||
          target.tagName === 'TEXTAREA' ||
          target.tagName === 'SELECT' ||
          target.isContentEditable)
      )
        return;
      if (event.key === 'n' || event.key === 'j') {
        event.preventDefault();
        go(1);
      } else if (event.key === 'p' || event.key === 'k') {
        event.preventDefault();
        go(-1);
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    setupTheme();
    setupIndex();
    setupCompareIndex();
    setupFile();
  });
})();
