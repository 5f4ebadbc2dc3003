// Shows a progress overlay while a slow form (import, export) is being processed.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-slow]")) return;
  var overlay = document.getElementById("sy-progress");
  if (!overlay) {
    overlay = document.createElement("div");
    overlay.id = "sy-progress";
    overlay.className = "sy-progress-overlay";
    overlay.innerHTML = '<div class="spinner-border text-danger" role="status"></div><div>' +
      (form.getAttribute("data-slow") || "正在处理，请稍候……") + "</div>";
    document.body.appendChild(overlay);
  }
  overlay.classList.add("show");
});

// Forms that ask first (data-confirm): the Content-Security-Policy allows no inline onsubmit.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// Keyboard and screen-reader help, for every page.
document.addEventListener("DOMContentLoaded", function () {
  // A form came back with errors: put the keyboard on the first wrong field. A screen reader then
  // reads its label and its error (aria-describedby), and the error summary is role=alert.
  var invalid = document.querySelector("main [aria-invalid=true]");
  if (invalid) invalid.focus();

  // Messages (saved, submitted …) are on the page when it loads, where a live region is silent:
  // say them again in the empty live region a moment later, so screen readers announce them.
  var messages = document.getElementById("sy-messages");
  var announce = document.getElementById("sy-announce");
  if (messages && announce && messages.textContent.trim()) {
    setTimeout(function () {
      announce.textContent = Array.prototype.map.call(messages.querySelectorAll(".alert"), function (el) {
        return el.textContent.trim();
      }).join("。");
    }, 150);
  }

  // A table wider than the screen scrolls sideways: make the scrolling box reachable by keyboard
  // (arrow keys scroll it) and give it a name.
  function scrollableTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          var caption = box.querySelector("caption");
          var heading = box.closest(".sy-card, section, main").querySelector("h1, h2, h3");
          box.setAttribute("aria-label", ((caption || heading || {}).textContent || "表格").trim() + "（可左右滚动）");
        }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  scrollableTables();
  window.addEventListener("resize", scrollableTables);
});
