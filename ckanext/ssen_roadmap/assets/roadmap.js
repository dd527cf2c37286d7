/* Progressive enhancement of the roadmap filters: without this script the
 * filter form is a plain GET form; with it, a change re-renders the timeline
 * in place (from /roadmap/timeline/N) and keeps the page in step: the address
 * bar, the export and feed links (and the feed's <link> in the head) carry
 * exactly the filters shown, nothing left over from the address the page was
 * opened with; the notice about filters not understood goes (they are no
 * longer in the address) and "Clear filters" shows only while one is set. */
(function () {
  "use strict";

  function queryOf(form) {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.value && el.tagName === "SELECT") {
        params.append(el.name, el.value);
      }
    });
    return params.toString();
  }

  function updateExports(query) {
    document.querySelectorAll("[data-roadmap-export]").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), window.location.href);
      url.search = query;
      link.setAttribute("href", url.toString());
    });
  }

  function updatePage(section, query) {
    var address = window.location.pathname + (query ? "?" + query : "") + "#" + section.id;
    window.history.replaceState(null, "", address);
    updateExports(query);
    document.querySelectorAll("[data-roadmap-notice]").forEach(function (notice) {
      notice.remove();
    });
    var clear = section.querySelector("[data-roadmap-clear]");
    if (clear) {
      clear.hidden = !query;
    }
  }

  function enhance(section) {
    var form = section.querySelector("[data-roadmap-filters]");
    if (!form) {
      return;
    }
    var announce = document.createElement("p");
    announce.className = "visually-hidden";
    announce.setAttribute("aria-live", "polite");
    form.appendChild(announce);
    var pending = null;

    function refresh() {
      var query = queryOf(form);
      var url = section.getAttribute("data-fragment-url") + (query ? "?" + query : "");
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      section.setAttribute("aria-busy", "true");
      fetch(url, { signal: pending.signal, headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-roadmap-results]");
          var current = section.querySelector("[data-roadmap-results]");
          if (fresh && current) {
            current.replaceWith(document.importNode(fresh, true));
            var count = section.querySelector(".ssen-timeline__count");
            announce.textContent = count ? count.textContent.replace(/\s+/g, " ").trim() : "";
          }
          updatePage(section, query);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            form.submit();
          }
        })
        .finally(function () {
          section.removeAttribute("aria-busy");
        });
    }

    form.addEventListener("change", refresh);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      refresh();
    });
  }

  function init() {
    document.querySelectorAll("[data-roadmap-timeline]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
