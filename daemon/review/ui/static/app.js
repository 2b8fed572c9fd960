// The review UI's keyboard and small conveniences. Served from /review/static/ under a
// Content-Security-Policy that allows no inline script; every page works without it (links
// and forms), this only makes the clerk faster.
'use strict';
(function () {
  const typing = (e) => {
    const t = e.target;
    return t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' ||
                 t.isContentEditable);
  };
  const follow = (sel) => {
    const a = document.querySelector(sel);
    if (a && a.href) { window.location.href = a.href; return true; }
    return false;
  };

  function helpToggle() {
    let h = document.getElementById('help');
    if (!h) {
      const keys = document.getElementById('keys');
      if (!keys) return;
      h = document.createElement('div');
      h.id = 'help';
      h.className = 'help';
      h.textContent = keys.textContent;
      document.body.appendChild(h);
      return;
    }
    h.classList.toggle('hidden');
  }

  // The bundle page: j/k next/previous bundle, f next finding, r register, x reject (the
  // reasons the check found are already ticked), Enter on the focused button confirms.
  function bundlePage() {
    const findings = [...document.querySelectorAll('a.finding-link')];
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (typing(e)) {
        if (e.key === 'Escape') e.target.blur();
        return;
      }
      switch (e.key) {
        case 'j': if (follow('#next')) e.preventDefault(); break;
        case 'k': if (follow('#prev')) e.preventDefault(); break;
        case 'f': {
          if (!findings.length) break;
          const cur = findings.findIndex((a) => a.parentElement.classList.contains('selected'));
          const next = findings[(cur + 1) % findings.length];
          e.preventDefault();
          window.location.href = next.href;
          break;
        }
        case 'r': {
          const b = document.getElementById('register');
          if (b) { e.preventDefault(); b.focus(); }
          break;
        }
        case 'x': {
          const panel = document.getElementById('reject-panel');
          const b = document.getElementById('reject');
          if (panel && b) { e.preventDefault(); panel.open = true; b.focus(); }
          break;
        }
        case '+': follow('#zoom-in'); break;
        case '-': follow('#zoom-out'); break;
        case '?': helpToggle(); break;
        default: break;
      }
    });
    // The selected finding and the current thumbnail are in view.
    const sel = document.querySelector('.finding.selected');
    if (sel) sel.scrollIntoView({ block: 'nearest' });
    const th = document.querySelector('.thumb.selected');
    if (th) th.scrollIntoView({ block: 'nearest' });
  }

  // The queue: j/k move through the rows, Enter (or o) opens, / searches.
  function queuePage() {
    const rows = [...document.querySelectorAll('#queue tbody tr')];
    let at = -1;
    const mark = (i) => {
      if (!rows.length) return;
      if (at >= 0) rows[at].classList.remove('selected');
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows[at].classList.add('selected');
      rows[at].scrollIntoView({ block: 'nearest' });
      const a = rows[at].querySelector('a.bundle');
      if (a) a.focus();
    };
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
      if (e.key === 'j') { mark(at + 1); e.preventDefault(); }
      else if (e.key === 'k') { mark(at - 1); e.preventDefault(); }
      else if (e.key === 'o' && at >= 0) { rows[at].querySelector('a.bundle').click(); }
      else if (e.key === '/') { const q = document.getElementById('q'); if (q) { q.focus(); e.preventDefault(); } }
    });
    const all = document.getElementById('bulk-all');
    if (all) all.addEventListener('change', () => {
      for (const c of document.querySelectorAll('input.bulk-pick')) c.checked = all.checked;
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    if (document.getElementById('decision')) bundlePage();
    else if (document.getElementById('queue')) queuePage();
  });
})();
