// The website's search: finds the pages that have every word of the query, a query word
// matching the words it begins ("hjemløs" finds "hjemløse" and "hjemløshed"). The index is
// soeg-data.js, made by `udvalg publish` from the public pages only.
(function () {
  "use strict";
  var data = window.udvalgSoeg;
  var form = document.getElementById("soegning");
  var input = document.getElementById("q");
  var results = document.getElementById("resultater");
  var status = document.getElementById("status");
  if (!data || !form) return;
  document.getElementById("uden-script").hidden = true;
  form.hidden = false;
  var words = Object.keys(data.words);

  function pagesFor(term) {
    var found = {};
    for (var i = 0; i < words.length; i++) {
      if (words[i].lastIndexOf(term, 0) === 0) {
        var pages = data.words[words[i]];
        for (var j = 0; j < pages.length; j++) found[pages[j]] = (found[pages[j]] || 0) + 1;
      }
    }
    return found;
  }

  function search(query) {
    var terms = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (t) { return t.length > 0; });
    results.innerHTML = "";
    if (terms.length === 0) {
      status.textContent = "";
      return;
    }
    var score = null;
    terms.forEach(function (term) {
      var found = pagesFor(term);
      if (score === null) {
        score = found;
      } else {
        var both = {};
        Object.keys(score).forEach(function (p) { if (found[p]) both[p] = score[p] + found[p]; });
        score = both;
      }
    });
    var hits = Object.keys(score).sort(function (a, b) { return score[b] - score[a] || a - b; });
    status.textContent = hits.length === 0 ? "Ingen sider passer på søgningen." :
      (hits.length === 1 ? "1 side passer på søgningen." : hits.length + " sider passer på søgningen.");
    hits.slice(0, 50).forEach(function (p) {
      var page = data.pages[p];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = page.u;
      a.textContent = page.t;
      var excerpt = document.createElement("p");
      excerpt.textContent = page.x;
      li.appendChild(a);
      li.appendChild(excerpt);
      results.appendChild(li);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(input.value);
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
  });
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    search(asked);
  }
})();
